/**
 * The exposition formats: OpenMetrics 1.0 text and Prometheus 0.0.4 text, from one model of
 * metric families. Written here rather than with prom-client: our counters are cumulative values
 * the kernel keeps (/proc, BPF maps), which prom-client's Counter can only `inc`, and label sets
 * change every scrape (processes come and go), which its registry would keep forever unless reset.
 * Encoding a snapshot per scrape is ~100 lines, allocation-light, and has no dependency.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** A histogram series: cumulative bucket counts at upper bounds `le` (seconds), ascending. */
export interface HistogramSample {
  labels: Record<string, string>;
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

export interface MetricFamily {
  /** The base name: counters without `_total` (the encoder adds it). */
  name: string;
  help: string;
  type: MetricType;
  unit?: string;
  samples?: Sample[];
  histograms?: HistogramSample[];
}

export type Format = 'openmetrics' | 'prometheus';

export const CONTENT_TYPES: Record<Format, string> = {
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
};

/** The q of each media range or coding of an Accept or Accept-Encoding header, by lower-case name. */
function qualities(header: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((x) => x.trim());
    const q = params.map((p) => /^q=([\d.]+)$/i.exec(p)).find(Boolean);
    const value = q ? Number(q[1]) : 1;
    if (name)
      out.set(name.toLowerCase(), Math.max(out.get(name.toLowerCase()) ?? 0, Number.isFinite(value) ? value : 0));
  }
  return out;
}

/**
 * Which format an Accept header asks for: OpenMetrics when it names it with a q above 0 and not
 * below text/plain's (Prometheus sends both, OpenMetrics first); 0.0.4 text otherwise.
 */
export function negotiate(accept: string | undefined): Format {
  if (!accept) return 'prometheus';
  const q = qualities(accept);
  const om = q.get('application/openmetrics-text') ?? 0;
  return om > 0 && om >= (q.get('text/plain') ?? 0) ? 'openmetrics' : 'prometheus';
}

/** Whether an Accept-Encoding header takes gzip (named, or *, with a q above 0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  const q = qualities(acceptEncoding);
  return (q.get('gzip') ?? (q.has('gzip') ? 0 : (q.get('*') ?? 0))) > 0;
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text: 0.0.4 escapes only \\ and line feeds (its parsers refuse any other escape); OpenMetrics also ". */
function escapeHelp(v: string, format: Format): string {
  // Trimmed: parsers drop the blanks around HELP text (Go's, Python's), so none are written.
  const text = v.trim().replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? text.replace(/"/g, '\\"') : text;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A family the formats cannot carry is a bug of its collector: said, not served garbled. */
function checkFamily(f: MetricFamily): void {
  if (!METRIC_NAME.test(f.name)) throw new Error(`metric name "${f.name}" is not valid`);
  if (f.help.trim() === '') throw new Error(`metric ${f.name} has no HELP text`);
  if (f.unit && !f.name.endsWith(`_${f.unit}`)) throw new Error(`metric ${f.name} must end with its unit _${f.unit}`);
  if (f.type === 'counter' && f.name.endsWith('_total')) throw new Error(`counter ${f.name}: the encoder adds _total`);
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/**
 * `{k="v",...}` of a label set, cached by the object: collectors that keep one label object per
 * series for its life (proc keeps one per process) have it escaped and joined once.
 */
const labelCache = new WeakMap<Record<string, string>, string>();

function labelText(labels: Record<string, string>): string {
  const cached = labelCache.get(labels);
  if (cached !== undefined) return cached;
  let text = '';
  for (const k in labels) {
    // __x is reserved for Prometheus itself; le belongs to histogram buckets (added below).
    if (!LABEL_NAME.test(k) || k.startsWith('__') || k === 'le') throw new Error(`label name "${k}" is not valid here`);
  }
  for (const k in labels) text += `${text ? ',' : ''}${k}="${escapeLabelValue(labels[k] as string)}"`;
  text = text ? `{${text}}` : '';
  labelCache.set(labels, text);
  return text;
}

/** The labels of a histogram bucket: the series' own and `le` (cached per label set and bound). */
const bucketCache = new WeakMap<Record<string, string>, Map<number, string>>();

function bucketLabels(labels: Record<string, string>, le: number): string {
  let byLe = bucketCache.get(labels);
  if (!byLe) bucketCache.set(labels, (byLe = new Map()));
  let text = byLe.get(le);
  if (text === undefined) {
    const base = labelText(labels);
    const bound = le === Infinity ? '+Inf' : formatValue(le);
    text = base ? `${base.slice(0, -1)},le="${bound}"}` : `{le="${bound}"}`;
    byLe.set(le, text);
  }
  return text;
}

/** Encodes families; `format` decides the counter/unit/EOF details that differ. */
export function encode(families: MetricFamily[], format: Format): string {
  const out: string[] = [];
  for (const f of families) {
    checkFamily(f);
    const name = f.name;
    const sampleName = f.type === 'counter' ? `${name}_total` : name;
    // 0.0.4 names a counter family as its samples (`x_total`); OpenMetrics names it without.
    const familyName = format === 'prometheus' ? sampleName : name;
    out.push(`# HELP ${familyName} ${escapeHelp(f.help, format)}`);
    out.push(`# TYPE ${familyName} ${f.type}`);
    if (format === 'openmetrics' && f.unit) out.push(`# UNIT ${name} ${f.unit}`);
    for (const s of f.samples ?? []) out.push(`${sampleName}${labelText(s.labels)} ${formatValue(s.value)}`);
    for (const h of f.histograms ?? []) {
      for (const b of h.buckets) {
        if (b.le === Infinity) continue; // the +Inf bucket is the count, written next
        out.push(`${name}_bucket${bucketLabels(h.labels, b.le)} ${b.count}`);
      }
      out.push(`${name}_bucket${bucketLabels(h.labels, Infinity)} ${h.count}`);
      out.push(`${name}_sum${labelText(h.labels)} ${formatValue(h.sum)}`);
      out.push(`${name}_count${labelText(h.labels)} ${h.count}`);
    }
  }
  if (format === 'openmetrics') out.push('# EOF');
  return out.join('\n') + '\n';
}
