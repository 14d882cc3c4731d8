/**
 * Netlink constant tables with strace 6's names, in its print order: message types and flags,
 * NETLINK_ROUTE's messages (ifaddrmsg, ifinfomsg, rtmsg) and attribute types, NETLINK_SOCK_DIAG's
 * messages. Values strace has no name for are absent: they print as `0x3f /* IFLA_??? *\/`.
 */
import type { FlagTable } from './flags.js';

/** A table from consecutive names starting at `first` ('' skips a value). */
const seq = (first: number, names: string[]): FlagTable =>
  names.flatMap((n, i) => (n ? [[first + i, n] as const] : []));

export const NLMSG_TYPES: FlagTable = seq(1, ['NLMSG_NOOP', 'NLMSG_ERROR', 'NLMSG_DONE', 'NLMSG_OVERRUN']);
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_MIN_TYPE = 16;

/** Flags of every message, printed first. */
export const NLM_F_COMMON: FlagTable = [
  [0x1, 'NLM_F_REQUEST'],
  [0x2, 'NLM_F_MULTI'],
  [0x4, 'NLM_F_ACK'],
  [0x8, 'NLM_F_ECHO'],
  [0x10, 'NLM_F_DUMP_INTR'],
  [0x20, 'NLM_F_DUMP_FILTERED'],
];
export const NLM_F_GET: FlagTable = [
  [0x300, 'NLM_F_DUMP'],
  [0x100, 'NLM_F_ROOT'],
  [0x200, 'NLM_F_MATCH'],
  [0x400, 'NLM_F_ATOMIC'],
];
export const NLM_F_NEW: FlagTable = [
  [0x100, 'NLM_F_REPLACE'],
  [0x200, 'NLM_F_EXCL'],
  [0x400, 'NLM_F_CREATE'],
  [0x800, 'NLM_F_APPEND'],
];
export const NLM_F_DELETE: FlagTable = [
  [0x100, 'NLM_F_NONREC'],
  [0x200, 'NLM_F_BULK'],
];
export const NLM_F_ACK_FLAGS: FlagTable = [
  [0x100, 'NLM_F_CAPPED'],
  [0x200, 'NLM_F_ACK_TLVS'],
];

export const NLMSGERR_ATTRS: FlagTable = seq(0, [
  'NLMSGERR_ATTR_UNUSED',
  'NLMSGERR_ATTR_MSG',
  'NLMSGERR_ATTR_OFFS',
  'NLMSGERR_ATTR_COOKIE',
  'NLMSGERR_ATTR_POLICY',
  'NLMSGERR_ATTR_MISS_TYPE',
  'NLMSGERR_ATTR_MISS_NEST',
]);

export const RTM_TYPES: FlagTable = [
  ...seq(16, ['RTM_NEWLINK', 'RTM_DELLINK', 'RTM_GETLINK', 'RTM_SETLINK', 'RTM_NEWADDR', 'RTM_DELADDR', 'RTM_GETADDR']),
  ...seq(24, ['RTM_NEWROUTE', 'RTM_DELROUTE', 'RTM_GETROUTE', '', 'RTM_NEWNEIGH', 'RTM_DELNEIGH', 'RTM_GETNEIGH']),
  ...seq(32, ['RTM_NEWRULE', 'RTM_DELRULE', 'RTM_GETRULE', '', 'RTM_NEWQDISC', 'RTM_DELQDISC', 'RTM_GETQDISC']),
  ...seq(40, ['RTM_NEWTCLASS', 'RTM_DELTCLASS', 'RTM_GETTCLASS', '', 'RTM_NEWTFILTER', 'RTM_DELTFILTER']),
  ...seq(46, ['RTM_GETTFILTER', '', 'RTM_NEWACTION', 'RTM_DELACTION', 'RTM_GETACTION', '', 'RTM_NEWPREFIX']),
  [58, 'RTM_GETMULTICAST'],
  [62, 'RTM_GETANYCAST'],
  [64, 'RTM_NEWNEIGHTBL'],
  [66, 'RTM_GETNEIGHTBL'],
  [67, 'RTM_SETNEIGHTBL'],
  [68, 'RTM_NEWNDUSEROPT'],
  ...seq(72, ['RTM_NEWADDRLABEL', 'RTM_DELADDRLABEL', 'RTM_GETADDRLABEL']),
  [78, 'RTM_GETDCB'],
  [79, 'RTM_SETDCB'],
  ...seq(80, ['RTM_NEWNETCONF', 'RTM_DELNETCONF', 'RTM_GETNETCONF', '', 'RTM_NEWMDB', 'RTM_DELMDB', 'RTM_GETMDB']),
  ...seq(88, ['RTM_NEWNSID', 'RTM_DELNSID', 'RTM_GETNSID', '', 'RTM_NEWSTATS', '', 'RTM_GETSTATS']),
  [96, 'RTM_NEWCACHEREPORT'],
  ...seq(100, ['RTM_NEWCHAIN', 'RTM_DELCHAIN', 'RTM_GETCHAIN', '', 'RTM_NEWNEXTHOP', 'RTM_DELNEXTHOP']),
  ...seq(106, ['RTM_GETNEXTHOP', '', 'RTM_NEWLINKPROP', 'RTM_DELLINKPROP', 'RTM_GETLINKPROP', '']),
  ...seq(112, ['RTM_NEWVLAN', 'RTM_DELVLAN', 'RTM_GETVLAN', '']),
  ...seq(116, ['RTM_NEWNEXTHOPBUCKET', 'RTM_DELNEXTHOPBUCKET', 'RTM_GETNEXTHOPBUCKET']),
];

export const IFA_FLAGS: FlagTable = seq(0, [
  'IFA_F_SECONDARY',
  'IFA_F_NODAD',
  'IFA_F_OPTIMISTIC',
  'IFA_F_DADFAILED',
  'IFA_F_HOMEADDRESS',
  'IFA_F_DEPRECATED',
  'IFA_F_TENTATIVE',
  'IFA_F_PERMANENT',
  'IFA_F_MANAGETEMPADDR',
  'IFA_F_NOPREFIXROUTE',
  'IFA_F_MCAUTOJOIN',
  'IFA_F_STABLE_PRIVACY',
]).map(([bit, name]) => [1 << bit, name] as const);

export const IFA_ATTRS: FlagTable = seq(0, [
  'IFA_UNSPEC',
  'IFA_ADDRESS',
  'IFA_LOCAL',
  'IFA_LABEL',
  'IFA_BROADCAST',
  'IFA_ANYCAST',
  'IFA_CACHEINFO',
  'IFA_MULTICAST',
  'IFA_FLAGS',
  'IFA_RT_PRIORITY',
  'IFA_TARGET_NETNSID',
  'IFA_PROTO',
]);

export const RT_SCOPES: FlagTable = [
  [0, 'RT_SCOPE_UNIVERSE'],
  [200, 'RT_SCOPE_SITE'],
  [253, 'RT_SCOPE_LINK'],
  [254, 'RT_SCOPE_HOST'],
  [255, 'RT_SCOPE_NOWHERE'],
];

export const IFF_FLAGS: FlagTable = [
  'UP',
  'BROADCAST',
  'DEBUG',
  'LOOPBACK',
  'POINTOPOINT',
  'NOTRAILERS',
  'RUNNING',
  'NOARP',
  'PROMISC',
  'ALLMULTI',
  'MASTER',
  'SLAVE',
  'MULTICAST',
  'PORTSEL',
  'AUTOMEDIA',
  'DYNAMIC',
  'LOWER_UP',
  'DORMANT',
  'ECHO',
].map((n, i) => [1 << i, `IFF_${n}`] as const);

export const IFLA_ATTRS: FlagTable = seq(0, [
  'IFLA_UNSPEC',
  'IFLA_ADDRESS',
  'IFLA_BROADCAST',
  'IFLA_IFNAME',
  'IFLA_MTU',
  'IFLA_LINK',
  'IFLA_QDISC',
  'IFLA_STATS',
  'IFLA_COST',
  'IFLA_PRIORITY',
  'IFLA_MASTER',
  'IFLA_WIRELESS',
  'IFLA_PROTINFO',
  'IFLA_TXQLEN',
  'IFLA_MAP',
  'IFLA_WEIGHT',
  'IFLA_OPERSTATE',
  'IFLA_LINKMODE',
  'IFLA_LINKINFO',
  'IFLA_NET_NS_PID',
  'IFLA_IFALIAS',
  'IFLA_NUM_VF',
  'IFLA_VFINFO_LIST',
  'IFLA_STATS64',
  'IFLA_VF_PORTS',
  'IFLA_PORT_SELF',
  'IFLA_AF_SPEC',
  'IFLA_GROUP',
  'IFLA_NET_NS_FD',
  'IFLA_EXT_MASK',
  'IFLA_PROMISCUITY',
  'IFLA_NUM_TX_QUEUES',
  'IFLA_NUM_RX_QUEUES',
  'IFLA_CARRIER',
  'IFLA_PHYS_PORT_ID',
  'IFLA_CARRIER_CHANGES',
  'IFLA_PHYS_SWITCH_ID',
  'IFLA_LINK_NETNSID',
  'IFLA_PHYS_PORT_NAME',
  'IFLA_PROTO_DOWN',
  'IFLA_GSO_MAX_SEGS',
  'IFLA_GSO_MAX_SIZE',
  'IFLA_PAD',
  'IFLA_XDP',
  'IFLA_EVENT',
  'IFLA_NEW_NETNSID',
  'IFLA_IF_NETNSID',
  'IFLA_CARRIER_UP_COUNT',
  'IFLA_CARRIER_DOWN_COUNT',
  'IFLA_NEW_IFINDEX',
  'IFLA_MIN_MTU',
  'IFLA_MAX_MTU',
  'IFLA_PROP_LIST',
  'IFLA_ALT_IFNAME',
  'IFLA_PERM_ADDRESS',
  'IFLA_PROTO_DOWN_REASON',
  'IFLA_PARENT_DEV_NAME',
  'IFLA_PARENT_DEV_BUS_NAME',
  'IFLA_GRO_MAX_SIZE',
  'IFLA_TSO_MAX_SIZE',
  'IFLA_TSO_MAX_SEGS',
  'IFLA_ALLMULTI',
]);

export const RTEXT_FILTER_FLAGS: FlagTable = [
  [0x1, 'RTEXT_FILTER_VF'],
  [0x2, 'RTEXT_FILTER_BRVLAN'],
  [0x4, 'RTEXT_FILTER_BRVLAN_COMPRESSED'],
  [0x8, 'RTEXT_FILTER_SKIP_STATS'],
  [0x10, 'RTEXT_FILTER_MRP'],
  [0x20, 'RTEXT_FILTER_CFM_CONFIG'],
  [0x40, 'RTEXT_FILTER_CFM_STATUS'],
];

export const RTA_ATTRS: FlagTable = seq(0, [
  'RTA_UNSPEC',
  'RTA_DST',
  'RTA_SRC',
  'RTA_IIF',
  'RTA_OIF',
  'RTA_GATEWAY',
  'RTA_PRIORITY',
  'RTA_PREFSRC',
  'RTA_METRICS',
  'RTA_MULTIPATH',
  'RTA_PROTOINFO',
  'RTA_FLOW',
  'RTA_CACHEINFO',
  'RTA_SESSION',
  'RTA_MP_ALGO',
  'RTA_TABLE',
  'RTA_MARK',
  'RTA_MFC_STATS',
  'RTA_VIA',
  'RTA_NEWDST',
  'RTA_PREF',
  'RTA_ENCAP_TYPE',
  'RTA_ENCAP',
  'RTA_EXPIRES',
  'RTA_PAD',
  'RTA_UID',
  'RTA_TTL_PROPAGATE',
  'RTA_IP_PROTO',
  'RTA_SPORT',
  'RTA_DPORT',
  'RTA_NH_ID',
]);

export const RTAX_ATTRS: FlagTable = seq(0, [
  'RTAX_UNSPEC',
  'RTAX_LOCK',
  'RTAX_MTU',
  'RTAX_WINDOW',
  'RTAX_RTT',
  'RTAX_RTTVAR',
  'RTAX_SSTHRESH',
  'RTAX_CWND',
  'RTAX_ADVMSS',
  'RTAX_REORDERING',
  'RTAX_HOPLIMIT',
  'RTAX_INITCWND',
  'RTAX_FEATURES',
  'RTAX_RTO_MIN',
  'RTAX_INITRWND',
  'RTAX_QUICKACK',
  'RTAX_CC_ALGO',
  'RTAX_FASTOPEN_NO_COOKIE',
]);

export const RT_TABLES: FlagTable = [
  [0, 'RT_TABLE_UNSPEC'],
  [252, 'RT_TABLE_COMPAT'],
  [253, 'RT_TABLE_DEFAULT'],
  [254, 'RT_TABLE_MAIN'],
  [255, 'RT_TABLE_LOCAL'],
];

export const RT_PROTOCOLS: FlagTable = [
  ...seq(0, ['RTPROT_UNSPEC', 'RTPROT_REDIRECT', 'RTPROT_KERNEL', 'RTPROT_BOOT', 'RTPROT_STATIC']),
  [8, 'RTPROT_GATED'],
  [9, 'RTPROT_RA'],
  [10, 'RTPROT_MRT'],
  [11, 'RTPROT_ZEBRA'],
  [12, 'RTPROT_BIRD'],
  [13, 'RTPROT_DNROUTED'],
  [14, 'RTPROT_XORP'],
  [15, 'RTPROT_NTK'],
  [16, 'RTPROT_DHCP'],
  [17, 'RTPROT_MROUTED'],
  [18, 'RTPROT_KEEPALIVED'],
  [42, 'RTPROT_BABEL'],
  [99, 'RTPROT_OPENR'],
  [186, 'RTPROT_BGP'],
  [187, 'RTPROT_ISIS'],
  [188, 'RTPROT_OSPF'],
  [189, 'RTPROT_RIP'],
  [192, 'RTPROT_EIGRP'],
];

export const RTN_TYPES: FlagTable = seq(0, [
  'RTN_UNSPEC',
  'RTN_UNICAST',
  'RTN_LOCAL',
  'RTN_BROADCAST',
  'RTN_ANYCAST',
  'RTN_MULTICAST',
  'RTN_BLACKHOLE',
  'RTN_UNREACHABLE',
  'RTN_PROHIBIT',
  'RTN_THROW',
  'RTN_NAT',
  'RTN_XRESOLVE',
]);

export const RTM_F_FLAGS: FlagTable = [
  [0x100, 'RTM_F_NOTIFY'],
  [0x200, 'RTM_F_CLONED'],
  [0x400, 'RTM_F_EQUALIZE'],
  [0x800, 'RTM_F_PREFIX'],
  [0x1000, 'RTM_F_LOOKUP_TABLE'],
  [0x2000, 'RTM_F_FIB_MATCH'],
  [0x4000, 'RTM_F_OFFLOAD'],
  [0x8000, 'RTM_F_TRAP'],
  [0x20000000, 'RTM_F_OFFLOAD_FAILED'],
];

export const IPTOS_FLAGS: FlagTable = [
  [0x10, 'IPTOS_LOWDELAY'],
  [0x08, 'IPTOS_THROUGHPUT'],
  [0x04, 'IPTOS_RELIABILITY'],
  [0x02, 'IPTOS_MINCOST'],
];

export const SOCK_DIAG_TYPES: FlagTable = seq(18, [
  'TCPDIAG_GETSOCK',
  'DCCPDIAG_GETSOCK',
  'SOCK_DIAG_BY_FAMILY',
  'SOCK_DESTROY',
]);

const TCP_STATE_NAMES = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
];
export const TCP_STATES: FlagTable = TCP_STATE_NAMES.map((n, i) => [i + 1, `TCP_${n}`] as const);
export const TCP_STATE_FLAGS: FlagTable = TCP_STATE_NAMES.map((n, i) => [1 << (i + 1), `1<<TCP_${n}`] as const);

export const INET_DIAG_ATTRS: FlagTable = seq(0, [
  'INET_DIAG_NONE',
  'INET_DIAG_MEMINFO',
  'INET_DIAG_INFO',
  'INET_DIAG_VEGASINFO',
  'INET_DIAG_CONG',
  'INET_DIAG_TOS',
  'INET_DIAG_TCLASS',
  'INET_DIAG_SKMEMINFO',
  'INET_DIAG_SHUTDOWN',
  'INET_DIAG_DCTCPINFO',
  'INET_DIAG_PROTOCOL',
  'INET_DIAG_SKV6ONLY',
  'INET_DIAG_LOCALS',
  'INET_DIAG_PEERS',
  'INET_DIAG_PAD',
  'INET_DIAG_MARK',
  'INET_DIAG_BBRINFO',
  'INET_DIAG_CLASS_ID',
  'INET_DIAG_MD5SIG',
  'INET_DIAG_ULP_INFO',
  'INET_DIAG_SK_BPF_STORAGES',
  'INET_DIAG_CGROUP_ID',
  'INET_DIAG_SOCKOPT',
]);

/** idiag_ext: a bit per attribute the request asks for (1 << (INET_DIAG_X - 1)). */
export const INET_DIAG_EXT_FLAGS: FlagTable = INET_DIAG_ATTRS.slice(1, 20).map(
  ([v, n]) => [1 << (v - 1), `1<<(${n}-1)`] as const,
);

export const INET_DIAG_REQ_ATTRS: FlagTable = seq(0, [
  'INET_DIAG_REQ_NONE',
  'INET_DIAG_REQ_BYTECODE',
  'INET_DIAG_REQ_SK_BPF_STORAGES',
  'INET_DIAG_REQ_PROTOCOL',
]);

export const NUD_STATES: FlagTable = [
  'INCOMPLETE',
  'REACHABLE',
  'STALE',
  'DELAY',
  'PROBE',
  'FAILED',
  'NOARP',
  'PERMANENT',
].map((n, i) => [1 << i, `NUD_${n}`] as const);

export const NTF_FLAGS: FlagTable = [
  'USE',
  'SELF',
  'MASTER',
  'PROXY',
  'EXT_LEARNED',
  'OFFLOADED',
  'STICKY',
  'ROUTER',
].map((n, i) => [1 << i, `NTF_${n}`] as const);

export const NDA_ATTRS: FlagTable = seq(0, [
  'NDA_UNSPEC',
  'NDA_DST',
  'NDA_LLADDR',
  'NDA_CACHEINFO',
  'NDA_PROBES',
  'NDA_VLAN',
  'NDA_PORT',
  'NDA_VNI',
  'NDA_IFINDEX',
  'NDA_MASTER',
  'NDA_LINK_NETNSID',
  'NDA_SRC_VNI',
  'NDA_PROTOCOL',
  'NDA_NH_ID',
  'NDA_FDB_EXT_ATTRS',
  'NDA_FLAGS_EXT',
  'NDA_NDM_STATE_MASK',
  'NDA_NDM_FLAGS_MASK',
]);
