// Mail for the browser journeys: a requester's mail client, as far as the tests need one. It
// sends by SMTP (a minimal client over `net`: EHLO, MAIL FROM, RCPT TO, DATA, QUIT, each reply
// code checked) and reads what Helpdesk sent from the mail sink scripts/e2e-env starts (MailDev,
// whose REST API lists the received mails: GET /email).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';

import { TIMEOUT_MS } from './support.mjs';

/**
 * One SMTP conversation over a plain connection: `reply()` waits for the server's next complete
 * reply (`{ code, text }`, the text of all its lines), `command(line, code)` sends a line and
 * checks the reply's code.
 */
function smtpConnection(host, port) {
  const socket = net.connect({ host, port });
  socket.setEncoding('utf8');
  let buffer = '';
  let failure = null;
  const waiting = [];
  const replies = [];

  // A reply ends with a line whose code is followed by a space (RFC 5321 §4.2.1).
  function parse() {
    for (;;) {
      const lines = buffer.split('\r\n');
      const end = lines.slice(0, -1).findIndex((line) => /^\d{3}(?: |$)/.test(line));
      if (end < 0) return;
      const replyLines = lines.slice(0, end + 1);
      buffer = lines.slice(end + 1).join('\r\n');
      replies.push({ code: Number(replyLines[end].slice(0, 3)), text: replyLines.map((line) => line.slice(4)).join('\n') });
    }
  }
  function settle() {
    while (waiting.length && (replies.length || failure)) {
      const { resolve, reject, timer } = waiting.shift();
      clearTimeout(timer);
      if (replies.length) resolve(replies.shift());
      else reject(failure);
    }
  }
  socket.on('data', (chunk) => {
    buffer += chunk;
    parse();
    settle();
  });
  socket.on('error', (error) => {
    failure = error;
    settle();
  });
  socket.on('close', () => {
    failure ??= new Error(`the SMTP server on ${host}:${port} closed the connection`);
    settle();
  });

  function reply() {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = waiting.findIndex((entry) => entry.timer === timer);
        if (index >= 0) waiting.splice(index, 1);
        reject(new Error(`no SMTP reply from ${host}:${port} within ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      waiting.push({ resolve, reject, timer });
      settle();
    });
  }
  async function expect(expected, what) {
    const answer = await reply();
    assert.equal(answer.code, expected, `SMTP ${what}: ${answer.code} ${answer.text}`);
    return answer;
  }
  return {
    expect,
    async command(line, expected) {
      socket.write(`${line}\r\n`);
      return expect(expected, line.split(':')[0]);
    },
    write(data) {
      socket.write(data);
    },
    close() {
      socket.destroy();
    },
  };
}

/**
 * Sends `message` (its lines joined with CRLF, ending in one) by SMTP to `address` ("host:port")
 * from `from` to `to`, and answers the server's reply to the message's DATA (`{ code, text }`).
 */
export async function sendMail(address, { from, to, message }) {
  const [, host, port] = /^\[?([^\]]+)\]?:(\d+)$/.exec(address) ?? assert.fail(`not host:port: ${address}`);
  const smtp = smtpConnection(host, Number(port));
  try {
    await smtp.expect(220, 'greeting');
    await smtp.command('EHLO client.e2e.test', 250);
    await smtp.command(`MAIL FROM:<${from}>`, 250);
    await smtp.command(`RCPT TO:<${to}>`, 250);
    await smtp.command('DATA', 354);
    // CRLF line ends, and a line starting with a dot doubled (RFC 5321 §4.5.2).
    const body = message.replace(/\r?\n/g, '\r\n').replace(/\r\n$/, '');
    smtp.write(`${body.split('\r\n').map((line) => (line.startsWith('.') ? `.${line}` : line)).join('\r\n')}\r\n.\r\n`);
    const accepted = await smtp.expect(250, 'end of DATA');
    await smtp.command('QUIT', 221);
    return accepted;
  } finally {
    smtp.close();
  }
}

/**
 * A plain-text mail as a mail client writes it: `headers` (name → value, values given undefined
 * left out) then `text`. Date and Message-ID are made unless given.
 */
export function composeMail({ from, to, subject, text, headers = {} }) {
  const fields = {
    From: from,
    To: to,
    Subject: subject,
    Date: new Date().toUTCString().replace('GMT', '+0000'),
    'Message-ID': `<${randomBytes(12).toString('hex')}@client.e2e.test>`,
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Transfer-Encoding': '8bit',
    ...headers,
  };
  const lines = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n${text.replace(/\r?\n/g, '\r\n')}\r\n`;
}

/** The mail sink's REST API (MailDev 2): the mails it received. */
export function mailSink(url) {
  const base = url.replace(/\/$/, '');
  return {
    async all() {
      const response = await fetch(`${base}/email`);
      assert.equal(response.status, 200, 'the mail sink lists its mails');
      return response.json();
    },
    /**
     * Polls until a received mail satisfies `matches` and answers it, or fails after `timeoutMs`
     * naming `what` and the subjects of the mails to `to` that did arrive.
     */
    async waitFor(what, matches, { to, timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      let mails = [];
      for (;;) {
        mails = await this.all();
        const found = mails.find((mail) => (!to || recipients(mail).includes(to.toLowerCase())) && matches(mail));
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = mails.filter((mail) => !to || recipients(mail).includes(to.toLowerCase())).map((mail) => mail.subject);
          assert.fail(`the mail sink got no ${what} within ${timeoutMs} ms; mails${to ? ` to ${to}` : ''}: ${JSON.stringify(seen)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

/** The addresses a mail the sink received is to (lowercased). */
export function recipients(mail) {
  return (mail.to ?? []).map((recipient) => recipient.address.toLowerCase());
}

/** A header of a mail the sink received, by name (any case); an array's first value. */
export function header(mail, name) {
  const entry = Object.entries(mail.headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase());
  const value = Array.isArray(entry?.[1]) ? entry[1][0] : entry?.[1];
  return typeof value === 'string' ? value : value === undefined ? undefined : JSON.stringify(value);
}
