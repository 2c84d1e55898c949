import WebSocket from 'ws';
import { ConsoleStack } from './fixtures/console-stack';

async function main(): Promise<void> {
  const stack = await ConsoleStack.start();
  try {
    console.log('relay', stack.relayUrl());
    const uuid = await stack.runContainer({ name: 'echo1', command: ['cat'] });
    const url = await stack.attachUrl(uuid);
    console.log('attach url', url);
    const ws = new WebSocket(url, ['binary', 'base64']);
    const got: Buffer[] = [];
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('close', (c, r) => rej(new Error(`closed ${c} ${r.toString()}`)));
      ws.once('error', rej);
    });
    console.log('open, protocol', ws.protocol);
    ws.on('message', (d: Buffer) => got.push(d));
    ws.send(Buffer.from('hello relay\n'));
    await new Promise((r) => setTimeout(r, 500));
    console.log('got', JSON.stringify(Buffer.concat(got).toString()));
    ws.close();
    await new Promise((r) => setTimeout(r, 300));
    const tty = await stack.runContainer({ name: 'tty1', command: ['sh'], tty: true });
    const r = await stack.api('POST', `/v1/containers/${tty}/execute?command=sh&run=False&interactive=True`);
    console.log('exec', r.status, r.text);
    const ex = r.body as { proxy_url: string; exec_id: string };
    const ws2 = new WebSocket(ex.proxy_url, ['binary']);
    await new Promise<void>((res, rej) => { ws2.once('open', () => res()); ws2.once('close', (c, rr) => rej(new Error(`closed ${c} ${rr.toString()}`))); });
    const got2: Buffer[] = [];
    ws2.on('message', (d: Buffer) => got2.push(d));
    const rs = await stack.api('POST', `/v1/containers/${tty}/execute_resize?exec_id=${ex.exec_id}&w=100&h=33`);
    console.log('resize', rs.status, rs.text);
    ws2.send(Buffer.from('stty size; echo done\n'));
    await new Promise((r) => setTimeout(r, 700));
    console.log('got2', JSON.stringify(Buffer.concat(got2).toString()));
    ws2.send(Buffer.from('exit\n'));
    const c = await new Promise((res) => ws2.once('close', (code, rr) => res(`${code} ${rr.toString()}`)));
    console.log('exec closed', c);
  } finally {
    console.log(stack.service('compute').logTail(15));
    console.log(stack.service('wsproxy').logTail(10));
    await stack.stop();
  }
}
void main();
