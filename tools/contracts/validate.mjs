#!/usr/bin/env node
// Checks parley's published contracts (schemas/, docs/asyncapi.yaml, docs/openapi.yaml).
//   validate.mjs documents         both documents pass their ecosystem's validator; every schema
//                                  compiles (strict) and its $id is its path
//   validate.mjs examples          every CloudEvent example of docs/events.md and docs/commands.md
//                                  validates; every type with a schema has an example there
//   validate.mjs compat [RELEASED] schemas/ make no breaking change to RELEASED (schemas/released)
//   validate.mjs release           copies schemas/ to schemas/released/ (at a release)
//   validate.mjs serve             one JSON check per stdin line -> one JSON answer per line
//                                  (the integration tests' hook; tests/support/contracts.cpp)
//   validate.mjs tally FILE        what `serve` checked during a test run, per type and answer
//   validate.mjs selftest          every broken fixture of tests/contracts/fixtures is refused
// Exit 0 when everything holds, 1 with one line per problem otherwise.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Parser, fromFile } from '@asyncapi/parser';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Contracts, root, idBase, readSchemas, idOfPath, newAjv, describeErrors, jsonFiles } from './contracts.mjs';
import { compareSchemaTrees } from './compat.mjs';

const commands = { documents, examples, compat, release, serve, tally, selftest };

async function main() {
  const [name, ...args] = process.argv.slice(2);
  if (!commands[name]) {
    console.error(`usage: validate.mjs ${Object.keys(commands).join('|')}`);
    process.exit(2);
  }
  const problems = await commands[name](...args);
  if (problems === undefined) return;
  for (const problem of problems) console.error(`FAIL ${problem}`);
  process.exit(problems.length === 0 ? 0 : 1);
}

// ---------------------------------------------------------------------------------------------
// documents

/// Schema ids (https://parley.dev/<path>) are read from the repository, never fetched.
const repositoryResolver = {
  order: 1,
  canRead: (file) => file.url.startsWith(idBase),
  read: (file) => fs.readFileSync(path.join(root, file.url.slice(idBase.length).replace(/#.*$/, '')), 'utf8'),
};

/// Problems of the schemas of a schemas/ tree: each compiles in strict mode, its $id is its path,
/// an event/command/result schema pins `dataschema` to its own $id.
export function schemaProblems(schemas = readSchemas()) {
  const problems = [];
  const ajv = newAjv({ strict: true });
  for (const { file, schema } of schemas) {
    const rel = path.relative(root, file);
    if (schema.$id !== idOfPath(file)) problems.push(`${rel}: $id ${schema.$id} is not ${idOfPath(file)}`);
    if (schema.$schema !== 'https://json-schema.org/draft/2020-12/schema') problems.push(`${rel}: $schema is not draft 2020-12`);
    try {
      ajv.addSchema(schema);
    } catch (e) {
      problems.push(`${rel}: ${e.message}`);
    }
  }
  for (const { file, schema } of schemas) {
    try {
      ajv.getSchema(schema.$id);
    } catch (e) {
      problems.push(`${path.relative(root, file)}: does not compile: ${e.message}`);
    }
    const pinned = schema?.properties?.dataschema?.const;
    if (schema?.properties?.type?.const && /\/(events|results)\//.test(file) && pinned !== schema.$id) {
      problems.push(`${path.relative(root, file)}: properties.dataschema.const must be its own $id`);
    }
  }
  return problems;
}

async function documents() {
  const problems = [];
  const schemas = readSchemas();
  problems.push(...schemaProblems(schemas));
  console.log(`schemas: ${schemas.length} files, draft 2020-12, strict compile`);

  const parser = new Parser({
    __unstable: {
      resolver: {
        resolvers: [{
          schema: 'https',
          order: 1,
          canRead: (uri) => uri.toString().startsWith(idBase),
          read: (uri) => repositoryResolver.read({ url: uri.toString() }),
        }],
      },
    },
  });
  const { document, diagnostics } = await fromFile(parser, path.join(root, 'docs/asyncapi.yaml')).parse();
  const errors = diagnostics.filter((d) => d.severity === 0);
  const warnings = diagnostics.filter((d) => d.severity === 1);
  for (const d of errors) problems.push(`docs/asyncapi.yaml ${d.path.join('.')}: ${d.message}`);
  if (document) {
    console.log(`docs/asyncapi.yaml: AsyncAPI ${document.version()} valid (@asyncapi/parser): `
      + `${document.channels().length} channels, ${document.messages().length} messages, `
      + `${document.operations().length} operations, ${errors.length} errors, ${warnings.length} warnings`);
  }
  for (const d of warnings) console.log(`  warning ${d.path.join('.')}: ${d.message}`);

  try {
    const api = await SwaggerParser.validate(path.join(root, 'docs/openapi.yaml'), { resolve: { parley: repositoryResolver } });
    let operations = 0;
    let answers = 0;
    for (const item of Object.values(api.paths)) {
      for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options']) {
        if (!item[method]) continue;
        operations += 1;
        answers += Object.keys(item[method].responses ?? {}).length;
      }
    }
    console.log(`docs/openapi.yaml: OpenAPI ${api.openapi} valid (@apidevtools/swagger-parser): `
      + `${Object.keys(api.paths).length} paths, ${operations} operations, ${answers} documented answers`);
  } catch (e) {
    problems.push(`docs/openapi.yaml: ${e.message}`);
  }
  // Both documents' fragments compile against the schemas (references resolve).
  try {
    const contracts = new Contracts();
    for (const { channel, messages } of contracts.channels.values()) {
      for (const { message } of messages) {
        for (const part of [message.payload, message.headers, message.bindings?.kafka?.key]) {
          if (part !== undefined) contracts.compile(part.schema ?? part, contracts.asyncapi, contracts.asyncapiFile);
        }
      }
      if (!channel.address) problems.push('docs/asyncapi.yaml: a channel without an address');
    }
  } catch (e) {
    problems.push(`docs/asyncapi.yaml or docs/openapi.yaml: a schema does not compile: ${e.message}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// examples

/// The ```json blocks of a markdown text, each with its line number.
function jsonBlocks(text) {
  const blocks = [];
  const pattern = /```json\n([\s\S]*?)```/g;
  for (let m; (m = pattern.exec(text)) !== null;) {
    blocks.push({ line: text.slice(0, m.index).split('\n').length, body: m[1] });
  }
  return blocks;
}

/// Problems of the CloudEvent examples of `docs` ({file: kinds of type it must document}).
export function exampleProblems(contracts, docs, counts = new Map()) {
  const problems = [];
  const documented = new Map();
  for (const [file] of docs) {
    const rel = path.relative(root, file);
    for (const { line, body } of jsonBlocks(fs.readFileSync(file, 'utf8'))) {
      let event;
      try {
        event = JSON.parse(body);
      } catch (e) {
        problems.push(`${rel}:${line}: a json example that is not JSON: ${e.message}`);
        continue;
      }
      if (event === null || typeof event !== 'object' || event.specversion === undefined) continue;
      const id = contracts.typeSchemas.get(event.type);
      if (!id) {
        problems.push(`${rel}:${line}: type ${JSON.stringify(event.type)} has no schema in schemas/`);
        continue;
      }
      documented.set(event.type, rel);
      counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
      const validate = contracts.ajv.getSchema(id);
      if (!validate(event)) {
        for (const e of describeErrors(validate.errors)) problems.push(`${rel}:${line} (${event.type}): ${e}`);
      }
    }
  }
  for (const [file, folders] of docs) {
    for (const [type, id] of contracts.typeSchemas) {
      const folder = id.split('/').at(-2);
      if (folders.includes(folder) && !documented.has(type)) {
        problems.push(`${path.relative(root, file)}: type ${type} (${id}) has no example`);
      }
    }
  }
  return problems;
}

function examples() {
  const contracts = new Contracts();
  const counts = new Map();
  const problems = exampleProblems(contracts, new Map([
    [path.join(root, 'docs/events.md'), ['events']],
    [path.join(root, 'docs/commands.md'), ['commands', 'results']],
  ]), counts);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`examples: ${total} CloudEvent examples of ${counts.size} types validated `
    + `(${contracts.typeSchemas.size} types have a schema)`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// compatibility

function compat(released = path.join(root, 'schemas/released')) {
  const { problems, compared } = compareSchemaTrees(released, path.join(root, 'schemas'));
  console.log(`compatibility: ${compared} released schemas compared with schemas/`);
  return problems;
}

function release() {
  const from = path.join(root, 'schemas');
  const to = path.join(from, 'released');
  fs.rmSync(to, { recursive: true, force: true });
  for (const file of jsonFiles(from, new Set([to]))) {
    const target = path.join(to, path.relative(from, file));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(file, target);
  }
  console.log(`schemas/released: ${jsonFiles(to).length} files`);
  return [];
}

// ---------------------------------------------------------------------------------------------
// serve and tally

function serve() {
  const contracts = new Contracts();
  const tallyFile = process.env.PARLEY_CONTRACTS_TALLY;
  const input = readline.createInterface({ input: process.stdin, terminal: false });
  input.on('line', (line) => {
    let answer;
    try {
      const request = JSON.parse(line);
      answer = request.kind === 'record' ? contracts.checkRecord(request)
        : request.kind === 'answer' ? contracts.checkAnswer(request)
          : { about: '?', problems: [`unknown kind ${request.kind}`] };
      if (tallyFile && !answer.skipped) {
        fs.appendFileSync(tallyFile, JSON.stringify({ kind: request.kind, about: answer.about, ok: answer.problems.length === 0 }) + '\n');
      }
    } catch (e) {
      answer = { about: '?', problems: [`validator: ${e.message}`] };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  });
  return undefined;
}

function tally(file) {
  if (!file || !fs.existsSync(file)) return [`tally: no file ${file}`];
  const contracts = new Contracts();
  const counts = { record: new Map(), answer: new Map() };
  let failed = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const { kind, about, ok } = JSON.parse(line);
    counts[kind].set(about, (counts[kind].get(about) ?? 0) + 1);
    if (!ok) failed += 1;
  }
  const sum = (map) => [...map.values()].reduce((a, b) => a + b, 0);
  console.log(`records validated: ${sum(counts.record)}; HTTP answers validated: ${sum(counts.answer)}; failed: ${failed}`);
  for (const [channelAddress, { messages }] of contracts.channels) {
    const seen = messages.filter((m) => counts.record.has(`${channelAddress} ${m.name}`));
    console.log(`  ${channelAddress}: ${seen.length}/${messages.length} message types seen`);
    for (const m of messages) {
      const n = counts.record.get(`${channelAddress} ${m.name}`) ?? 0;
      console.log(`    ${String(n).padStart(6)}  ${m.name}${n === 0 ? '   (not seen)' : ''}`);
    }
  }
  let documented = 0;
  let seen = 0;
  for (const { template, item } of contracts.paths) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operation?.responses) continue;
      for (const status of Object.keys(operation.responses)) {
        documented += 1;
        const n = counts.answer.get(`${item['x-parley-listener']} ${method.toUpperCase()} ${template} ${status}`) ?? 0;
        if (n > 0) seen += 1;
        console.log(`  ${String(n).padStart(6)}  ${item['x-parley-listener']} ${method.toUpperCase()} ${template} ${status}`);
      }
    }
  }
  for (const [about, n] of counts.answer) {
    if (about.includes('(no path)') || / (404|405)$/.test(about)) console.log(`  ${String(n).padStart(6)}  ${about}`);
  }
  console.log(`  documented answers seen: ${seen}/${documented}`);
  return [];
}

// ---------------------------------------------------------------------------------------------
// selftest: each broken fixture must be refused, and its unbroken control accepted

async function selftest() {
  const dir = path.join(root, 'tests/contracts/fixtures');
  const contracts = new Contracts();
  const problems = [];
  let cases = 0;
  const expect = (name, found, wanted) => {
    cases += 1;
    const text = found.join('\n');
    if (wanted === null ? found.length !== 0 : !new RegExp(wanted).test(text)) {
      problems.push(`${name}: expected ${wanted === null ? 'no problem' : `a problem matching /${wanted}/`}, got ${text === '' ? 'none' : text}`);
    }
  };
  for (const file of jsonFiles(path.join(dir, 'records'))) {
    const fixture = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(path.relative(root, file), contracts.checkRecord(fixture.record).problems, fixture.expect);
  }
  for (const file of jsonFiles(path.join(dir, 'answers'))) {
    const fixture = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(path.relative(root, file), contracts.checkAnswer(fixture.answer).problems, fixture.expect);
  }
  for (const file of fs.readdirSync(path.join(dir, 'docs')).sort()) {
    const full = path.join(dir, 'docs', file);
    const wanted = fs.readFileSync(full, 'utf8').match(/<!-- expect: (.*) -->/)?.[1];
    expect(path.relative(root, full), exampleProblems(contracts, new Map([[full, []]])), wanted === 'none' ? null : wanted);
  }
  // Coverage: docs/events.md without one type's example.
  const events = fs.readFileSync(path.join(root, 'docs/events.md'), 'utf8');
  const withoutOne = events.replace(/(### `parley\.user\.updated`[\s\S]*?)```json\n[\s\S]*?```/, '$1');
  const stripped = path.join(dir, '..', 'events-without-user-updated.md.tmp');
  fs.writeFileSync(stripped, withoutOne);
  try {
    expect('docs/events.md without the parley.user.updated example', exampleProblems(contracts, new Map([[stripped, ['events']]])), 'type parley\\.user\\.updated .* has no example');
  } finally {
    fs.rmSync(stripped);
  }
  // Breaking changes: each case patches one current schema (RFC 6902 add/remove/replace).
  const released = path.join(root, 'schemas/released');
  for (const fixture of JSON.parse(fs.readFileSync(path.join(dir, 'breaking.json'), 'utf8'))) {
    const current = path.join(root, 'schemas', fixture.file);
    const patched = fixture.remove ? null : applyPatch(JSON.parse(fs.readFileSync(current, 'utf8')), fixture.patch);
    const { problems: found } = compareSchemaTrees(released, path.join(root, 'schemas'), new Map([[fixture.file, patched]]));
    expect(`breaking.json ${fixture.name}`, found, fixture.expect);
  }
  console.log(`selftest: ${cases} fixtures, ${problems.length} not as expected`);
  return problems;
}

/// RFC 6902 add / remove / replace on a copy of `document`.
function applyPatch(document, patch) {
  const copy = structuredClone(document);
  for (const { op, path: at, value } of patch) {
    const parts = at.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    const parent = parts.reduce((node, part) => node[part], copy);
    if (op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (op === 'add' && Array.isArray(parent)) {
      parent.splice(last === '-' ? parent.length : Number(last), 0, value);
    } else {
      parent[last] = value;
    }
  }
  return copy;
}

await main();
