import { list, port, section, str } from './option.dsl';

/** `[websocket_proxy]`: the proxy behind `zun attach` and interactive `zun exec`. */
export const websocketProxySection = section('websocket_proxy', 'The zun-wsproxy service (interactive console).', {
  wsproxy_host: str({ default: '0.0.0.0', help: 'Address the websocket proxy listens on.' }),
  wsproxy_port: port({ default: 6784, help: 'TCP port the websocket proxy listens on.' }),
  base_url: str({
    default: 'ws://$wsproxy_host:$wsproxy_port/',
    help: 'URL given to clients to reach the proxy. Set it to an address clients can reach when the proxy ' +
      'listens on 0.0.0.0 or sits behind a load balancer.',
    check: (v) => (/^wss?:\/\//.test(v) ? undefined : `'${v}' is not a ws:// or wss:// URL`),
  }),
  allowed_origins: list({
    default: [],
    help: 'Origins (host names) allowed to open a console besides the host of base_url.',
  }),
  cert: str({ default: null, help: 'TLS certificate file (PEM). Set together with key to serve wss://.' }),
  key: str({ default: null, help: 'TLS private key file (PEM) matching cert.' }),
});
