/** Grafana annotations through its HTTP API (POST /api/annotations), authenticated with a token. */

export interface Annotation {
  /** Epoch milliseconds. */
  time: number;
  /** Epoch milliseconds; set for a region (a fault window, a run). */
  timeEnd?: number;
  tags: string[];
  text: string;
}

/** Creates an organisation-wide annotation, shown on every dashboard that queries its tags. */
export async function postAnnotation(
  baseUrl: string,
  token: string,
  annotation: Annotation,
  timeoutMs = 5_000,
): Promise<void> {
  const res = await fetch(`${baseUrl}/api/annotations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(annotation),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`grafana answered ${res.status}: ${body.trim().slice(0, 300)}`);
}
