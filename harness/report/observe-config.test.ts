import { describe, expect, it } from 'vitest';
import { parseObserveConfig } from './observe-config.ts';

describe('parseObserveConfig', () => {
  it('sets nothing when nothing is set; empty strings count as unset', () => {
    expect(parseObserveConfig({})).toEqual({});
    expect(parseObserveConfig({ FAULTLINE_PUSHGATEWAY_URL: '', PATH: '/bin' })).toEqual({});
  });

  it('takes URLs without their trailing slash, and resolves the scrape directory', () => {
    const c = parseObserveConfig({
      FAULTLINE_PUSHGATEWAY_URL: 'http://127.0.0.1:9091/',
      FAULTLINE_LOKI_URL: 'http://127.0.0.1:3100',
      FAULTLINE_SCRAPE_DIR: 'rel/targets',
    });
    expect(c.FAULTLINE_PUSHGATEWAY_URL).toBe('http://127.0.0.1:9091');
    expect(c.FAULTLINE_LOKI_URL).toBe('http://127.0.0.1:3100');
    expect(c.FAULTLINE_SCRAPE_DIR).toMatch(/^\/.*rel\/targets$/);
  });

  it('fails naming each bad variable', () => {
    expect(() => parseObserveConfig({ FAULTLINE_PUSHGATEWAY_URL: 'not a url' })).toThrow(
      /FAULTLINE_PUSHGATEWAY_URL/,
    );
    expect(() => parseObserveConfig({ FAULTLINE_GRAFANA_URL: 'http://127.0.0.1:3001' })).toThrow(
      /FAULTLINE_GRAFANA_TOKEN: required when FAULTLINE_GRAFANA_URL is set/,
    );
  });
});
