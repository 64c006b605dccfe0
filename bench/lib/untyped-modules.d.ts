/** Declarations for the untyped packages the benchmarks use (autocannon, oidc-provider): only the slices used. */
declare module 'autocannon' {
  interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
  }
  interface AutocannonOptions {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    headers?: Record<string, string>;
    method?: string;
    body?: string;
    requests?: AutocannonRequest[];
    amount?: number;
  }
  interface Histogram {
    average: number;
    mean: number;
    p50: number;
    p99: number;
    max: number;
    total: number;
  }
  interface AutocannonResult {
    requests: Histogram;
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    duration: number;
  }
  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  export default autocannon;
  export type { AutocannonOptions, AutocannonRequest, AutocannonResult };
}

/** oidc-provider ships no types; the benchmark uses only its constructor, callback and models. */
declare module 'oidc-provider' {
  const Provider: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  export default Provider;
}

/** The provider's own memory adapter and LRU, used over an LRU sized for the bench's token populations. */
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  const MemoryAdapter: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  export default MemoryAdapter;
}
declare module 'oidc-provider/lib/helpers/lru.js' {
  const LRU: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  export default LRU;
}
