import type { Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import type { Fault } from './nemesis.ts';

/**
 * Cut a link: disable its toxiproxy proxy, which closes every open connection through it and refuses
 * new ones. The heal enables it again at the same address.
 */
export function cut(proxy: ToxiproxyProxy): Fault {
  const body = { name: proxy.name, listen: proxy.listen, upstream: proxy.upstream };
  return {
    kind: 'cut',
    target: proxy.name,
    inject: async () => {
      await proxy.update({ ...body, enabled: false });
    },
    heal: async () => {
      await proxy.update({ ...body, enabled: true });
    },
  };
}
