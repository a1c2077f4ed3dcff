/**
 * Pushes gauges to a Prometheus Pushgateway in the text exposition format. A group is identified by
 * its grouping labels (job first); POST replaces only the metric families it carries, so metrics that
 * are pushed at different times (the fault gauge, the outcome, the last success) live side by side.
 */

export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

export interface Gauge {
  name: string;
  help: string;
  samples: Sample[];
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelSet(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

/** Prometheus text exposition of `gauges`. */
export function exposition(gauges: Gauge[]): string {
  const lines: string[] = [];
  for (const g of gauges) {
    lines.push(`# HELP ${g.name} ${escapeHelp(g.help)}`, `# TYPE ${g.name} gauge`);
    for (const s of g.samples) lines.push(`${g.name}${labelSet(s.labels)} ${s.value}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The group's URL: `/metrics/job/<job>/<label>/<value>…`. Values go base64url-encoded (`label@base64`)
 * so any value, slashes included, is safe in a path.
 */
export function groupUrl(baseUrl: string, grouping: { job: string } & Record<string, string>): string {
  const { job, ...rest } = grouping;
  const b64 = (v: string) => Buffer.from(v).toString('base64url') || '=';
  const parts = [`job@base64/${b64(job)}`, ...Object.entries(rest).map(([k, v]) => `${k}@base64/${b64(v)}`)];
  return `${baseUrl}/metrics/${parts.join('/')}`;
}

/** POSTs `gauges` into the group; throws with the Pushgateway's answer when it refuses them. */
export async function pushGauges(
  baseUrl: string,
  grouping: { job: string } & Record<string, string>,
  gauges: Gauge[],
  { timeoutMs = 5_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const res = await fetch(groupUrl(baseUrl, grouping), {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain; version=0.0.4' },
    body: exposition(gauges),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`pushgateway answered ${res.status}: ${body.trim().slice(0, 300)}`);
}
