/**
 * The MCP server definition: the official SDK's register* calls plus a
 * `requires` (scope requirement) and an optional per-operation `policy`
 * (FastMCP's `@mcp.tool(auth=require_scopes(...))`). Stateless Streamable
 * HTTP builds one McpServer per request; `build()` registers only
 * what the caller's scopes allow, so tools/list,
 * resources/list and prompts/list show only what the caller may use.
 */
import {
  McpServer,
  type ReadResourceCallback,
  type ReadResourceTemplateCallback,
  type ResourceMetadata,
  type ResourceTemplate,
  type ToolCallback,
  type PromptCallback,
} from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerOptions } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { Implementation, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { normalizeObjectSchema, type AnySchema, type ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { Policy } from './policy.ts';
import { isSatisfied, NO_REQUIREMENT, type ScopeRequirement } from './requirements.ts';

export interface Gate {
  /** Scopes the caller's token must hold; default: any authenticated caller. */
  requires?: ScopeRequirement;
  /** Runtime check for this operation, after the server-wide policy. */
  policy?: Policy;
}

interface Removable {
  remove(): void;
}

interface Definition {
  kind: 'tool' | 'resource' | 'prompt';
  gate: Required<Pick<Gate, 'requires'>> & Gate;
  register(server: McpServer): Removable;
}

export interface GatedOperations {
  tools: ReadonlyMap<string, Gate & { requires: ScopeRequirement }>;
  prompts: ReadonlyMap<string, Gate & { requires: ScopeRequirement }>;
  resources: ReadonlyMap<string, Gate & { requires: ScopeRequirement }>;
  templates: ReadonlyArray<{ template: ResourceTemplate; gate: Gate & { requires: ScopeRequirement } }>;
}

const gateOf = (gate: Gate): Definition['gate'] => ({ requires: gate.requires ?? NO_REQUIREMENT, ...(gate.policy ? { policy: gate.policy } : {}) });

export class GatedMcpServer {
  private readonly definitions: Definition[] = [];
  private readonly tools = new Map<string, Definition['gate']>();
  private readonly prompts = new Map<string, Definition['gate']>();
  private readonly resources = new Map<string, Definition['gate']>();
  private readonly templates: { template: ResourceTemplate; gate: Definition['gate'] }[] = [];

  readonly serverOptions: ServerOptions;

  /**
   * One JSON Schema validator for every per-request server: the SDK builds a
   * new Ajv instance per Server otherwise, the largest cost of a stateless
   * request (see bench/sdk.ts).
   */
  constructor(
    readonly serverInfo: Implementation,
    serverOptions?: ServerOptions,
  ) {
    this.serverOptions = { ...serverOptions, jsonSchemaValidator: serverOptions?.jsonSchemaValidator ?? new AjvJsonSchemaValidator() };
  }

  registerTool<OutputArgs extends ZodRawShapeCompat | AnySchema, InputArgs extends undefined | ZodRawShapeCompat | AnySchema = undefined>(
    name: string,
    config: Gate & { title?: string; description?: string; inputSchema?: InputArgs; outputSchema?: OutputArgs; annotations?: ToolAnnotations; _meta?: Record<string, unknown> },
    callback: ToolCallback<InputArgs>,
  ): this {
    this.assertNew(this.tools, name, 'tool');
    const { requires, policy, ...toolConfig } = config;
    const gate = gateOf({ requires, policy });
    this.tools.set(name, gate);
    // The per-request McpServers share one schema object per tool (see schemaObject).
    const shared = { ...toolConfig, inputSchema: schemaObject(toolConfig.inputSchema), outputSchema: schemaObject(toolConfig.outputSchema) } as typeof toolConfig;
    this.definitions.push({ kind: 'tool', gate, register: (server) => server.registerTool<OutputArgs, InputArgs>(name, shared, callback) });
    return this;
  }

  registerResource(name: string, uri: string, config: Gate & ResourceMetadata, callback: ReadResourceCallback): this;
  registerResource(name: string, template: ResourceTemplate, config: Gate & ResourceMetadata, callback: ReadResourceTemplateCallback): this;
  registerResource(name: string, uriOrTemplate: string | ResourceTemplate, config: Gate & ResourceMetadata, callback: ReadResourceCallback | ReadResourceTemplateCallback): this {
    const { requires, policy, ...metadata } = config;
    const gate = gateOf({ requires, policy });
    if (typeof uriOrTemplate === 'string') {
      this.assertNew(this.resources, uriOrTemplate, 'resource');
      this.resources.set(uriOrTemplate, gate);
      this.definitions.push({ kind: 'resource', gate, register: (server) => server.registerResource(name, uriOrTemplate, metadata, callback as ReadResourceCallback) });
    } else {
      this.templates.push({ template: uriOrTemplate, gate });
      this.definitions.push({ kind: 'resource', gate, register: (server) => server.registerResource(name, uriOrTemplate, metadata, callback as ReadResourceTemplateCallback) });
    }
    return this;
  }

  registerPrompt<Args extends ZodRawShapeCompat>(name: string, config: Gate & { title?: string; description?: string; argsSchema?: Args }, callback: PromptCallback<Args>): this {
    this.assertNew(this.prompts, name, 'prompt');
    const { requires, policy, ...promptConfig } = config;
    const gate = gateOf({ requires, policy });
    this.prompts.set(name, gate);
    this.definitions.push({ kind: 'prompt', gate, register: (server) => server.registerPrompt<Args>(name, promptConfig, callback) });
    return this;
  }

  /** The gates, for the HTTP layer's pre-checks and startup validation. */
  operations(): GatedOperations {
    return { tools: this.tools, prompts: this.prompts, resources: this.resources, templates: this.templates };
  }

  /** A fresh McpServer for one request, showing only what `heldScopes` allow. */
  build(heldScopes: ReadonlySet<string>): McpServer {
    const server = new McpServer(this.serverInfo, this.serverOptions);
    const shown = new Set<Definition['kind']>();
    const hiddenByKind = new Map<Definition['kind'], Definition>();
    for (const definition of this.definitions) {
      if (isSatisfied(definition.gate.requires, heldScopes)) {
        definition.register(server);
        shown.add(definition.kind);
      } else if (!hiddenByKind.has(definition.kind)) {
        hiddenByKind.set(definition.kind, definition);
      }
    }
    // A kind with nothing to show still answers its list methods with an empty
    // list (not "method not found"): register one hidden item and remove it,
    // which installs the SDK's handlers. remove(), not disable(): the SDK's
    // resources/templates/list does not filter disabled templates.
    for (const [kind, definition] of hiddenByKind) if (!shown.has(kind)) definition.register(server).remove();
    return server;
  }

  private assertNew(map: Map<string, unknown>, name: string, kind: string): void {
    if (map.has(name)) throw new Error(`${kind} ${name} is already registered`);
  }
}

/**
 * A tool's raw Zod shape (`{ status: z.string() }`) as the object schema the
 * SDK would make of it, made once at registration. The SDK converts a raw
 * shape on every registerTool, and with one McpServer per request that was
 * per request: a new schema object whose parser Zod sets up again on its
 * first parse (about a tenth of a warm tools/call's CPU, docs/sdk.md). Schema
 * objects, and anything the SDK would not take for a raw shape, pass as
 * they are (the SDK then judges them as before).
 */
function schemaObject<T>(schema: T): T {
  if (typeof schema !== 'object' || schema === null || '_zod' in schema || '_def' in schema) return schema;
  return (normalizeObjectSchema(schema as unknown as ZodRawShapeCompat) as T | undefined) ?? schema;
}
