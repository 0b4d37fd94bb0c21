// Breaking changes between a released schemas/ tree and the current one (docs/events.md, "What a
// consumer can rely on"). A schema's major version is part of its $id (`.v1.json`): a breaking
// change is allowed only as a new file beside the released one, never inside it.
//
// Breaking, for the records parley writes and the commands it accepts alike:
//   - a released schema file removed;
//   - a property removed, or one parley always wrote no longer required;
//   - a property made required;
//   - a value narrowed: a type dropped, a const or enum value added or removed, a pattern or
//     format added or changed, a bound (minLength, maximum, ...) added or tightened,
//     additionalProperties closed, a oneOf/anyOf branch dropped, an allOf part added,
//     a reference pointed elsewhere.
// Not breaking: a new optional property, a new file (a new type or a new version), a bound
// relaxed, descriptions and examples.
import fs from 'node:fs';
import path from 'node:path';
import { jsonFiles } from './contracts.mjs';

const lowerBounds = ['minLength', 'minimum', 'exclusiveMinimum', 'minItems', 'minProperties'];
const upperBounds = ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems', 'maxProperties'];
const exact = ['pattern', 'format', '$ref', 'const'];
const ignored = new Set(['$schema', '$id', 'title', 'description', '$comment', 'examples', 'default', 'deprecated']);

/// Compares every schema of `releasedDir` with the same path under `currentDir`. `overrides`
/// (the test fixtures) replaces current files: path under schemas/ -> schema, or null = removed.
export function compareSchemaTrees(releasedDir, currentDir, overrides = new Map()) {
  const problems = [];
  let compared = 0;
  if (!fs.existsSync(releasedDir)) return { problems: [`no released schemas at ${releasedDir}`], compared };
  for (const file of jsonFiles(releasedDir)) {
    const rel = path.relative(releasedDir, file).split(path.sep).join('/');
    const current = path.join(currentDir, rel);
    compared += 1;
    const after = overrides.has(rel) ? overrides.get(rel)
      : fs.existsSync(current) ? JSON.parse(fs.readFileSync(current, 'utf8')) : null;
    if (after === null) {
      problems.push(`schemas/${rel}: removed (a released schema stays; publish a new version beside it)`);
      continue;
    }
    compareSchema(JSON.parse(fs.readFileSync(file, 'utf8')), after, `schemas/${rel}#`, problems);
  }
  return { problems, compared };
}

function compareSchema(before, after, at, problems) {
  if (typeof before === 'boolean' || typeof after === 'boolean') {
    if (before !== after && after === false) problems.push(`${at}: narrowed to false`);
    return;
  }
  if (before === undefined || after === undefined) return;
  const typesBefore = typeSet(before.type);
  const typesAfter = typeSet(after.type);
  if (typesAfter !== null) {
    const dropped = typesBefore === null ? ['(any)'] : [...typesBefore].filter((t) => !typesAfter.has(t) && !(t === 'integer' && typesAfter.has('number')));
    if (dropped.length > 0) problems.push(`${at}: type narrowed (${[...(typesBefore ?? ['any'])].join('|')} -> ${[...typesAfter].join('|')})`);
  }
  for (const key of exact) {
    if (after[key] !== undefined && JSON.stringify(after[key]) !== JSON.stringify(before[key])) {
      problems.push(`${at}: ${key} ${before[key] === undefined ? 'added' : 'changed'} (${JSON.stringify(before[key])} -> ${JSON.stringify(after[key])})`);
    }
  }
  if (after.enum !== undefined) {
    const was = new Set((before.enum ?? []).map((v) => JSON.stringify(v)));
    const now = new Set(after.enum.map((v) => JSON.stringify(v)));
    if (before.enum === undefined) problems.push(`${at}: enum added`);
    else if (was.size !== now.size || [...was].some((v) => !now.has(v))) problems.push(`${at}: enum changed (${[...was].join(',')} -> ${[...now].join(',')})`);
  }
  for (const key of lowerBounds) {
    if (after[key] !== undefined && (before[key] === undefined || after[key] > before[key])) problems.push(`${at}: ${key} tightened (${before[key]} -> ${after[key]})`);
  }
  for (const key of upperBounds) {
    if (after[key] !== undefined && (before[key] === undefined || after[key] < before[key])) problems.push(`${at}: ${key} tightened (${before[key]} -> ${after[key]})`);
  }
  const requiredBefore = new Set(before.required ?? []);
  const requiredAfter = new Set(after.required ?? []);
  for (const name of requiredAfter) if (!requiredBefore.has(name)) problems.push(`${at}: ${name} made required`);
  for (const name of requiredBefore) if (!requiredAfter.has(name)) problems.push(`${at}: ${name} no longer required (consumers rely on it)`);
  for (const closing of ['additionalProperties', 'unevaluatedProperties']) {
    if (after[closing] === false && before[closing] !== false) problems.push(`${at}: ${closing} closed`);
    if (typeof before[closing] === 'object' && typeof after[closing] === 'object') compareSchema(before[closing], after[closing], `${at}/${closing}`, problems);
  }
  for (const name of Object.keys(before.properties ?? {})) {
    if (!(name in (after.properties ?? {}))) problems.push(`${at}/properties/${name}: removed`);
    else compareSchema(before.properties[name], after.properties[name], `${at}/properties/${name}`, problems);
  }
  for (const name of Object.keys(before.$defs ?? {})) {
    if (!(name in (after.$defs ?? {}))) problems.push(`${at}/$defs/${name}: removed`);
    else compareSchema(before.$defs[name], after.$defs[name], `${at}/$defs/${name}`, problems);
  }
  for (const key of ['items', 'contains', 'not', 'if', 'then', 'else', 'propertyNames']) {
    if (before[key] !== undefined || after[key] !== undefined) {
      if (before[key] === undefined) problems.push(`${at}: ${key} added`);
      else compareSchema(before[key], after[key], `${at}/${key}`, problems);
    }
  }
  for (const key of ['oneOf', 'anyOf', 'allOf', 'prefixItems']) {
    const was = before[key] ?? [];
    const now = after[key] ?? [];
    if (key === 'allOf' || key === 'prefixItems' ? now.length > was.length : now.length < was.length) {
      problems.push(`${at}: ${key} ${now.length > was.length ? 'gained' : 'lost'} a part (${was.length} -> ${now.length})`);
    }
    for (let i = 0; i < Math.min(was.length, now.length); i++) compareSchema(was[i], now[i], `${at}/${key}/${i}`, problems);
  }
  for (const key of Object.keys(after)) {
    if (!ignored.has(key) && !known.has(key) && JSON.stringify(after[key]) !== JSON.stringify(before[key])) {
      problems.push(`${at}: ${key} changed (the compatibility check does not know this keyword)`);
    }
  }
}

const known = new Set(['type', ...exact, 'enum', ...lowerBounds, ...upperBounds, 'required', 'additionalProperties',
  'unevaluatedProperties', 'properties', '$defs', 'items', 'contains', 'not', 'if', 'then', 'else', 'propertyNames',
  'oneOf', 'anyOf', 'allOf', 'prefixItems']);

function typeSet(type) {
  if (type === undefined) return null;
  return new Set(Array.isArray(type) ? type : [type]);
}
