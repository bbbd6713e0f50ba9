import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { makeTestApp, type TestApp } from '../helpers/app.js';

/**
 * What Node's HTTP parser refuses never reaches a route, so these talk to a listening server over raw sockets. Every
 * answer must be the API error shape, and the connection must end.
 */
let t: TestApp;
let port: number;
before(async () => {
  // Short timeouts so that a slow client is timed out within the test; the client below is slower than any of them.
  t = await makeTestApp({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
  port = Number(new URL(await t.app.listen({ port: 0, host: '127.0.0.1' })).port);
});
after(async () => {
  await t.close();
});

interface Exchange {
  status: number;
  headers: Record<string, string>;
  body: { error: string; code: string; status: number };
}

/** Runs `talk` on a fresh connection and resolves with the response once the server closed the connection. */
function exchange(talk: (socket: Socket) => void): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      try {
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) });
      } catch {
        reject(new Error(`not a JSON answer: ${JSON.stringify(text.slice(0, 300))}`));
      }
    });
    socket.on('connect', () => talk(socket));
  });
}

const send = (raw: string) => (socket: Socket) => socket.write(raw);

/** Writes one byte of `text` every 25 ms, then keeps the connection open, until the server closes it. */
function trickle(text: string) {
  return (socket: Socket) => {
    let i = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || socket.writableEnded) clearInterval(timer);
      else if (i < text.length) socket.write(text[i++]!);
    }, 25);
    socket.on('close', () => clearInterval(timer));
  };
}

function assertShape(r: Exchange, status: number, code: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body).sort(), ['code', 'error', 'status']);
  assert.equal(r.body.code, code);
  assert.equal(r.body.status, status);
  assert.match(r.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(r.headers.connection, 'close');
}

describe('errors of the HTTP parser and the connection, in the API error shape', { timeout: 15_000 }, () => {
  it('431 headers_too_large: headers over the limit', async () => {
    const r = await exchange(send(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    assertShape(r, 431, 'headers_too_large');
  });

  it('400 bad_request: a request line that is not HTTP, an unknown method, a bad Content-Length, chunked and Content-Length', async () => {
    assertShape(await exchange(send('GARBAGE\r\n\r\n')), 400, 'bad_request');
    const method = await exchange(send('FETCH /health HTTP/1.1\r\nHost: x\r\n\r\n'));
    assertShape(method, 400, 'bad_request');
    assert.match(method.body.error, /method/);
    const length = await exchange(send('POST /v1/agents HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n'));
    assertShape(length, 400, 'bad_request');
    assert.match(length.body.error, /Content-Length/);
    const smuggle = 'POST /v1/agents HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
    assertShape(await exchange(send(smuggle)), 400, 'bad_request');
  });

  it('400 bad_request: an HTTP/1.1 request without Host', async () => {
    const r = await exchange(send('GET /health HTTP/1.1\r\nConnection: close\r\n\r\n'));
    assertShape(r, 400, 'bad_request');
    assert.match(r.body.error, /Host/);
  });

  it('405 method_not_allowed: CONNECT, which Node would otherwise drop without a word', async () => {
    const r = await exchange(send('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
    assertShape(r, 405, 'method_not_allowed');
    assert.ok(r.headers.allow);
  });

  it('417 expectation_failed: an Expect other than 100-continue', async () => {
    const r = await exchange(send('POST /v1/agents HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'));
    assertShape(r, 417, 'expectation_failed');
  });

  it('408 request_timeout: a client that trickles its body is answered and closed', { timeout: 10_000 }, async () => {
    const head = `POST /v1/agents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.a.pk}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
    const r = await exchange((socket) => {
      socket.write(head);
      trickle(`{"agent_id":"${'s'.repeat(990)}`)(socket);
    });
    assertShape(r, 408, 'request_timeout');
    assert.match(r.body.error, /600 ms/);
  });

  it('408 request_timeout: a client that trickles its headers is answered and closed', { timeout: 10_000 }, async () => {
    const r = await exchange(trickle(`GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ${'s'.repeat(200)}\r\n\r\n`));
    assertShape(r, 408, 'request_timeout');
  });

  it('a fast request on the same server is unaffected', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(r.status, 200);
  });
});
