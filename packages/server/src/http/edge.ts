/**
 * The connection level, beneath fastify's routes: what Node's HTTP parser refuses before there is a request (headers
 * too large, malformed requests, timeouts), CONNECT, and closing a connection whose request body was never read.
 * Every answer given here has the API error shape too.
 */
import { maxHeaderSize, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { errorBody, type ErrorBody } from '../errors.js';

export interface EdgeTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * How long a connection refused at the parser stays open to read (and drop) what the client is still sending: closing
 * with unread bytes makes the kernel send a reset, which can reach the client before it read the answer.
 */
const LINGER_MS = 2000;
/** The most of an unread request body that is read and dropped, so that its client sees the answer, before closing. */
export const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

/** A complete HTTP/1.1 response that ends the connection, for writing on a raw socket. */
export function rawErrorResponse(body: ErrorBody, extraHeaders: Record<string, string> = {}): string {
  const json = JSON.stringify(body);
  const headers = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(json)), Connection: 'close', ...extraHeaders };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status]}\r\n${lines.join('')}\r\n${json}`;
}

/** llhttp's error codes that a client can act on; any other parse error gets the general message. */
const PARSE_ERRORS: Record<string, string> = {
  HPE_INVALID_METHOD: 'the method is not an HTTP method',
  HPE_INVALID_URL: 'the request target is not a valid URL path',
  HPE_INVALID_VERSION: 'the HTTP version is not supported',
  HPE_INVALID_CONTENT_LENGTH: 'Content-Length is not a valid number',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'Content-Length and Transfer-Encoding must not both be sent',
  HPE_INVALID_TRANSFER_ENCODING: 'Transfer-Encoding is not valid',
  HPE_INVALID_CHUNK_SIZE: 'the chunked body is malformed',
  HPE_INVALID_HEADER_TOKEN: 'a header contains characters HTTP does not allow',
};

/** The answer to an error Node raised on a connection (its `clientError` event). */
export function clientErrorBody(code: string | undefined, timeouts: EdgeTimeouts): ErrorBody {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return errorBody(
      'request_timeout',
      `the request was not received in time: headers are allowed ${timeouts.headersTimeoutMs} ms, the whole request ${timeouts.requestTimeoutMs} ms`,
    );
  }
  if (code === 'HPE_HEADER_OVERFLOW') return errorBody('headers_too_large', `the request line and headers are larger than ${maxHeaderSize} bytes`);
  return errorBody('bad_request', `malformed HTTP request: ${(code && PARSE_ERRORS[code]) ?? 'it is not valid HTTP/1.1'}`);
}

/** Sockets already answered at this level: later parse errors of the same connection are its leftover bytes. */
const answered = new WeakSet<Duplex>();

/** fastify's `clientErrorHandler`: Node's parser errors and timeouts in the API error shape. */
export function clientErrorHandler(timeouts: EdgeTimeouts): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    if (answered.has(socket)) return;
    // A reset connection has no one left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    // As Node does: answer only while no response has begun on the socket, or the bytes would corrupt it.
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (!socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    socket.end(rawErrorResponse(clientErrorBody(error.code, timeouts)));
    // A timed-out client is slow by definition: close once the answer is out rather than wait for it.
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.once('finish', () => socket.destroy());
    else lingerThenClose(socket, LINGER_MS);
  };
}

/** Answers CONNECT (Node hands it to the server's `connect` event, not to fastify): this server is no proxy. */
export function refuseConnect(_request: IncomingMessage, socket: Duplex): void {
  answered.add(socket);
  socket.end(rawErrorResponse(errorBody('method_not_allowed', 'CONNECT is not supported: this server is not a proxy'), { Allow: 'GET, POST, DELETE' }));
  lingerThenClose(socket, LINGER_MS);
}

/**
 * Handler of the server's `checkExpectation` event: an `Expect` other than `100-continue`, which Node would refuse
 * itself with an empty body.
 */
export function expectationHandler(timeouts: EdgeTimeouts): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const json = JSON.stringify(errorBody('expectation_failed', 'the only Expect this server supports is "100-continue"'));
    closeAfterReadingBody(request, timeouts.requestTimeoutMs);
    response.writeHead(417, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json), Connection: 'close' }).end(json);
  };
}

/** After the answer is sent: close when the client ends its side, or at the latest after `ms`. */
function lingerThenClose(socket: Duplex, ms: number): void {
  const timer = setTimeout(() => socket.destroy(), ms);
  timer.unref();
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
  socket.resume();
}

const draining = new WeakSet<Socket>();

/**
 * For an answer given before the request body was read (413, 401, 415…), with `Connection: close`. Node closes such a
 * connection as soon as the answer is flushed (`destroySoon`), and the body bytes still arriving then make the kernel
 * reset the connection, which a client still writing its body sees as EPIPE instead of the answer. Here only the
 * sending side is closed; the rest of the body is read and dropped, up to MAX_DRAIN_BYTES and `maxMs`, and the
 * connection closed once it is in.
 */
export function closeAfterReadingBody(request: IncomingMessage, maxMs: number): void {
  const socket = request.socket as Socket & { destroySoon?: () => void };
  const destroySoon = socket.destroySoon;
  if (draining.has(socket) || typeof destroySoon !== 'function') return;
  draining.add(socket);
  socket.destroySoon = function (this: Socket) {
    if (request.complete) {
      destroySoon.call(this);
      return;
    }
    answered.add(this);
    this.end();
    let received = 0;
    const close = () => {
      clearTimeout(timer);
      this.destroy();
    };
    const timer = setTimeout(close, maxMs);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_DRAIN_BYTES) close();
    });
    request.once('end', close);
    request.resume();
  };
}
