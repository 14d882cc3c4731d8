/** pidusage ships no types: the part the tests use (its README). */
declare module 'pidusage' {
  interface Stat {
    /** Percent of one CPU since the previous call for this pid. */
    cpu: number;
    /** Resident set, bytes. */
    memory: number;
    ppid: number;
    pid: number;
    ctime: number;
    elapsed: number;
    timestamp: number;
  }
  function pidusage(pid: number): Promise<Stat>;
  namespace pidusage {
    function clear(): void;
  }
  export default pidusage;
}
