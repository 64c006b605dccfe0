/** proxy-addr ships no types; only the slice forwarded.ts uses. */
declare module 'proxy-addr' {
  import type { IncomingMessage } from 'node:http';
  type Trust = (address: string, hop: number) => boolean;
  function proxyaddr(request: IncomingMessage, trust: Trust | string | string[]): string;
  namespace proxyaddr {
    function compile(ranges: string | string[]): Trust;
    function all(request: IncomingMessage, trust?: Trust | string | string[]): string[];
  }
  export default proxyaddr;
}
