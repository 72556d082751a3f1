import { describe, expect, it } from 'vitest';

import { splitLinks } from './linkify';

const links = (text: string) => splitLinks(text).filter((part) => part.kind === 'link').map((part) => part.text);

describe('splitLinks', () => {
  it('keeps the text around an http(s) address and makes only the address a link', () => {
    expect(splitLinks('See https://example.com/a?b=1 now')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' now' },
    ]);
    expect(links('http://a.example and HTTPS://B.EXAMPLE/x')).toEqual(['http://a.example', 'HTTPS://B.EXAMPLE/x']);
  });

  it('leaves every other scheme as text', () => {
    for (const text of [
      'javascript:alert(1)',
      'JavaScript:alert(document.cookie)',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'mailto:ada@example.com',
      'ftp://files.example.com',
      'xhttps://not.a.link',
      'https://',
    ]) {
      expect(splitLinks(text)).toEqual([{ kind: 'text', text }]);
    }
  });

  it('does not swallow the punctuation of the sentence', () => {
    expect(links('Look at https://example.com/docs.')).toEqual(['https://example.com/docs']);
    expect(links('(see https://example.com/a)')).toEqual(['https://example.com/a']);
    expect(links('the page https://en.wikipedia.org/wiki/Rust_(language), then')).toEqual([
      'https://en.wikipedia.org/wiki/Rust_(language)',
    ]);
    expect(links('"https://example.com/q"')).toEqual(['https://example.com/q']);
  });

  it('keeps all the text, line breaks included', () => {
    const text = 'line one\nhttps://example.com\n\n  indented <b>not markup</b>';
    expect(splitLinks(text).map((part) => part.text).join('')).toBe(text);
  });
});
