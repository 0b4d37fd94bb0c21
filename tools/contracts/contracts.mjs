// The published contracts, loaded once: every JSON Schema of schemas/ by its $id, the AsyncAPI
// document's channels and messages, the OpenAPI document's paths. Shared by every check of
// validate.mjs; nothing here prints or exits.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/// `$id` of a file = this + its path in the repository (schemas/README.md).
export const idBase = 'https://parley.dev/';

export function idOfPath(file) {
  return idBase + path.relative(root, file).split(path.sep).join('/');
}

/// Every .json file under `dir`, depth first, sorted; `skip` names folders left out.
export function jsonFiles(dir, skip = new Set()) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.has(full)) out.push(...jsonFiles(full, skip));
    } else if (entry.name.endsWith('.json')) {
      out.push(full);
    }
  }
  return out;
}

/// The schemas of a schemas/ tree (the current one: released/ left out), parsed, by file.
export function readSchemas(dir = path.join(root, 'schemas')) {
  const files = jsonFiles(dir, new Set([path.join(dir, 'released')]));
  return files.map((file) => ({ file, schema: JSON.parse(fs.readFileSync(file, 'utf8')) }));
}

export function newAjv({ strict }) {
  const ajv = new Ajv2020({ strict, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

/// One line per error, each naming where in the instance it is.
export function describeErrors(errors) {
  return (errors ?? []).map((e) => {
    const where = e.instancePath === '' ? '(root)' : e.instancePath;
    const extra = e.keyword === 'additionalProperties' ? ` "${e.params.additionalProperty}"`
      : e.keyword === 'unevaluatedProperties' ? ` "${e.params.unevaluatedProperty}"` : '';
    return `${where}: ${e.message}${extra}`;
  });
}

/// Replaces `#/...` references by what they point at (one level of the document) and makes
/// file references absolute against the document's own id, so a fragment of an AsyncAPI or
/// OpenAPI document compiles on its own against the schemas of schemas/.
export function resolveFragment(node, doc, docId, seen = new Set()) {
  if (Array.isArray(node)) return node.map((n) => resolveFragment(n, doc, docId, seen));
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    if (node.$ref.startsWith('#/')) {
      if (seen.has(node.$ref)) throw new Error(`circular reference ${node.$ref}`);
      const target = pointer(doc, node.$ref.slice(1));
      if (target === undefined) throw new Error(`${node.$ref} points at nothing`);
      return resolveFragment(target, doc, docId, new Set([...seen, node.$ref]));
    }
    return { ...node, $ref: new URL(node.$ref, docId).href };
  }
  const out = {};
  for (const [k, v] of Object.entries(node)) out[k] = resolveFragment(v, doc, docId, seen);
  return out;
}

export function pointer(doc, ptr) {
  let at = doc;
  for (const raw of ptr.split('/').slice(1)) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object' || !(part in at)) return undefined;
    at = at[part];
  }
  return at;
}

/// Keeps only JSON Schema: drops vendor extensions (x-*) AsyncAPI and OpenAPI allow in schemas.
function schemaOnly(node) {
  if (Array.isArray(node)) return node.map(schemaOnly);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (!k.startsWith('x-')) out[k] = schemaOnly(v);
  }
  return out;
}

/// A message payload may be a plain schema or a Multi Format Schema Object ({schemaFormat, schema}).
function payloadSchema(payload) {
  if (payload && typeof payload === 'object' && 'schemaFormat' in payload && 'schema' in payload) {
    return payload.schema;
  }
  return payload;
}

export function loadYaml(file) {
  return YAML.parse(fs.readFileSync(file, 'utf8'));
}

/// Every schema of schemas/ in one Ajv (not strict: fragments of the API documents carry
/// keywords such as `example`), plus compiled checks of the AsyncAPI messages and OpenAPI answers.
export class Contracts {
  constructor() {
    this.ajv = newAjv({ strict: false });
    this.typeSchemas = new Map(); // CloudEvent type -> $id
    for (const { schema } of readSchemas()) {
      this.ajv.addSchema(schema);
      const type = schema?.properties?.type?.const;
      if (typeof type === 'string') this.typeSchemas.set(type, schema.$id);
    }
    this.asyncapiFile = path.join(root, 'docs/asyncapi.yaml');
    this.openapiFile = path.join(root, 'docs/openapi.yaml');
    this.asyncapi = loadYaml(this.asyncapiFile);
    this.openapi = loadYaml(this.openapiFile);
    this.channels = this.#channels();
    this.paths = this.#paths();
    this.compiled = new Map();
  }

  /// `schema` is a fragment of `doc` (an object of the parsed document): compiled once.
  compile(schema, doc, docFile) {
    let check = this.compiled.get(schema);
    if (!check) {
      check = this.ajv.compile(schemaOnly(resolveFragment(schema, doc, idOfPath(docFile))));
      this.compiled.set(schema, check);
    }
    return check;
  }

  #channels() {
    const byAddress = new Map();
    for (const [name, raw] of Object.entries(this.asyncapi.channels ?? {})) {
      const channel = raw.$ref ? pointer(this.asyncapi, raw.$ref.slice(1)) : raw;
      const messages = Object.entries(channel.messages ?? {}).map(([messageName, m]) => {
        const message = m.$ref ? pointer(this.asyncapi, m.$ref.slice(1)) : m;
        return { id: messageName, name: message.name ?? messageName, message };
      });
      byAddress.set(channel.address, { name, channel, messages });
    }
    return byAddress;
  }

  #paths() {
    const items = [];
    for (const [template, item] of Object.entries(this.openapi.paths ?? {})) {
      const pattern = new RegExp('^' + template.split(/\{[^}]+\}/).map(escapeRegExp).join('[^/]+') + '$');
      items.push({ template, item, pattern, concrete: !template.includes('{') });
    }
    // Concrete paths before templated ones (OpenAPI 3.1, "Path Templating Matching").
    return items.sort((a, b) => Number(b.concrete) - Number(a.concrete));
  }

  /// Problems of one Kafka record parley wrote (empty = conforms). `about` names what was checked.
  checkRecord({ topic, key, headers, value }) {
    const channel = this.channels.get(topic);
    if (!channel) {
      // A topic of parley's own naming must be documented; others (a unit test's) are not parley's.
      const problems = topic.startsWith('parley.') ? [`no channel of docs/asyncapi.yaml has the address ${topic}`] : [];
      return { about: `topic ${topic}`, skipped: problems.length === 0 ? 'not a parley topic' : undefined, problems };
    }
    let event = null;
    let readable = true;
    if (value !== '') {
      try {
        event = JSON.parse(value);
      } catch {
        readable = false;
        event = value;
      }
    }
    const type = readable && event && typeof event === 'object' ? event.type : undefined;
    const unreadable = channel.messages.find((m) => m.message['x-parley-unreadable'] === true);
    const chosen = channel.messages.length === 1 ? channel.messages[0]
      : channel.messages.find((m) => m.name === type && !m.message['x-parley-unreadable'])
        ?? (unreadable && !this.typeSchemas.has(type) ? unreadable : undefined);
    if (!readable && chosen !== unreadable && channel.messages.length !== 1) {
      return { about: topic, problems: ['value is not JSON'] };
    }
    const about = `${topic} ${chosen ? chosen.name : type ?? '(no type)'}`;
    if (!chosen) {
      const documented = this.typeSchemas.has(type) ? 'has a schema' : 'has no schema in schemas/';
      return { about, problems: [`type ${JSON.stringify(type)} is not a message of channel ${channel.name} in docs/asyncapi.yaml (it ${documented})`] };
    }
    const problems = [];
    const { message } = chosen;
    const check = (label, schema, instance) => {
      if (schema === undefined) return;
      const validate = this.compile(payloadSchema(schema), this.asyncapi, this.asyncapiFile);
      if (!validate(instance)) problems.push(...describeErrors(validate.errors).map((e) => `${label} ${e}`));
    };
    // Optional in the schemas (records written before it have none), but every event and
    // result this parley writes carries it.
    const schemaId = this.typeSchemas.get(type);
    if (schemaId && /\/(events|results)\//.test(schemaId) && event.dataschema === undefined) {
      problems.push(`no dataschema (parley writes ${schemaId} on every ${type})`);
    }
    if (type !== undefined && !this.typeSchemas.has(type) && chosen !== unreadable) problems.push(`type ${JSON.stringify(type)} has no schema in schemas/`);
    check('value', message.payload, event);
    check('headers', message.headers, headers);
    check('key', message.bindings?.kafka?.key, key);
    if (event && typeof event === 'object' && event.specversion !== undefined) {
      if (event.partitionkey !== undefined && key !== event.partitionkey) problems.push(`key ${JSON.stringify(key)} is not the partitionkey ${JSON.stringify(event.partitionkey)}`);
      for (const attribute of ['id', 'type', 'source', 'subject', 'time']) {
        const header = headers[`ce_${attribute}`];
        if (header !== undefined && header !== (event[attribute] ?? '')) problems.push(`header ce_${attribute} ${JSON.stringify(header)} differs from ${attribute} ${JSON.stringify(event[attribute])}`);
      }
    }
    return { about, problems };
  }

  /// Problems of one HTTP answer of parley's `listener` (ingest|admin) to `method target`.
  /// An answer no operation owns (no route, a method the path does not serve, an unconfigured
  /// source, a request refused before routing) must be one of components.responses.
  checkAnswer({ listener, method, target, status, headers, body }) {
    const pathOnly = target.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0];
    const found = this.paths.find((p) => p.item['x-parley-listener'] === listener && p.pattern.test(pathOnly));
    const operation = found?.item[method.toLowerCase()];
    const about = `${listener} ${method} ${found ? found.template : '(no path)'} ${status}`;
    let response = operation?.responses?.[String(status)] ?? operation?.responses?.[`${String(status)[0]}XX`];
    if (!response && !operation) {
      const general = this.openapi.components?.responses ?? {};
      const name = Object.keys(general).find((n) => general[n]['x-parley-status'] === status
        && (found || general[n]['x-parley-without-route'] === true));
      if (!name) {
        return { about, problems: [`${method} ${pathOnly}: ${found ? `${method} is not an operation of ${found.template}` : `no path of the ${listener} listener matches`} in docs/openapi.yaml, and no components.responses entry documents a ${status} for that`] };
      }
      response = general[name];
    }
    if (!response) return { about, problems: [`${method} ${found.template}: status ${status} is not documented in docs/openapi.yaml`] };
    if (response.$ref) response = pointer(this.openapi, response.$ref.slice(1));
    return { about, problems: this.#answerProblems(response, headers, body) };
  }

  #answerProblems(response, headers, body) {
    const problems = [];
    const contentType = headers['content-type'];
    const content = response.content ?? {};
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length === 0) {
      if (body !== '') problems.push(`a body (${JSON.stringify(body.slice(0, 80))}) where docs/openapi.yaml documents none`);
    } else if (contentType === undefined) {
      problems.push(`no Content-Type; documented: ${mediaTypes.join(', ')}`);
    } else {
      const base = contentType.split(';')[0].trim().toLowerCase();
      const media = mediaTypes.find((m) => m.toLowerCase() === contentType.toLowerCase())
        ?? mediaTypes.find((m) => m.split(';')[0].trim().toLowerCase() === base);
      if (!media) {
        problems.push(`Content-Type ${contentType} is not documented (documented: ${mediaTypes.join(', ')})`);
      } else if (content[media].schema !== undefined) {
        let instance = body;
        if (base === 'application/json' || base.endsWith('+json')) {
          try {
            instance = JSON.parse(body);
          } catch (e) {
            problems.push(`body is not JSON: ${e.message}`);
            return problems;
          }
        }
        const validate = this.compile(content[media].schema, this.openapi, this.openapiFile);
        if (!validate(instance)) problems.push(...describeErrors(validate.errors).map((e) => `body ${e}`));
      }
    }
    const declared = Object.fromEntries(Object.entries(response.headers ?? {}).map(([n, h]) => [n.toLowerCase(), h.$ref ? pointer(this.openapi, h.$ref.slice(1)) : h]));
    for (const [name, header] of Object.entries(declared)) {
      if (header.required && headers[name] === undefined) problems.push(`header ${name} is required by docs/openapi.yaml but missing`);
    }
    if (headers['retry-after'] !== undefined && !declared['retry-after']) problems.push('Retry-After sent but not documented for this answer');
    return problems;
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

