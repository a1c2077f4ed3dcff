/** True when GET `url` answers 2xx within `timeoutMs`; the body is discarded. */
export async function answersOk(url: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { connection: 'close' },
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
