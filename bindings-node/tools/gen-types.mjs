// Writes src/types.generated.d.ts from the core's description of its types
// (../bindings-types.json, written from the types themselves by `cargo test -p intune-apple-core
// --test types`): the unions of the core's enums and the interfaces of its results (`exposed.results`)
// and of the Graph models the Node API hands out (`MODEL_ROOTS`), with every type they reach.
// Also writes .generated/header.d.ts, the header napi puts at the top of index.d.ts (the
// hand-written src/header.d.ts followed by the generated types), and .generated/types.json, the
// generated types for the tests: `interfaces` { name: { field: tsType } } and `unions`
// { name: { '@odata.type' literal, or '*' for any other: interface } } and `enums`
// { name: { open, members } }.
// `--check` writes nothing and fails when src/types.generated.d.ts is out of date, or when a
// generated name is one napi already declares in index.d.ts (interfaces would merge silently).
//
// How the description becomes TypeScript:
// - a field is named by its `wire` name; fields with no wire name, `skipped` ones and `secret`
//   ones (the binding never hands a secret to JavaScript) are left out;
// - `time` is a `Date` (the binding turns every field the description types as time into a
//   Date, and nothing else), except in the plain shape of a class (`toJSON`, see `CLASSES`),
//   which is the core's JSON document: times as RFC 3339 text;
// - `optional` is `T | null`; a field may be absent (`name?:`) where the description says serde
//   leaves it out when empty (`omitted_when_empty`, from `skip_serializing_if`);
// - a Graph model is open (`[property: string]: unknown`), as is a flattened `json_object`;
// - an open enum also allows any other string (`(string & {})`): Graph adds members;
// - a polymorphic type is the union of its variants, each with its `@odata.type` literal
//   (`'#microsoft.graph.<odata_type>'`); the catch-all variant has any `@odata.type`.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const pkg = path.join(here, '..')
const description = JSON.parse(fs.readFileSync(path.join(pkg, '../bindings-types.json'), 'utf8'))
const types = description.types

/** The Graph models the Node API hands out (pagers, `assignApp`, `planAssignments`). */
const MODEL_ROOTS = ['EnrollmentProfile', 'MobileApp', 'MobileAppAssignment']

/**
 * Core types Node exposes as napi classes: the class keeps the core's name, the generated
 * interface is its plain shape (what `toJSON()` answers), named `<Name>Json`.
 */
const CLASSES = ['HealthReport', 'TokenProfilesCheck']

/**
 * Core names that napi already declares in index.d.ts as an `#[napi(object)]` interface of
 * another shape (the binding's own view of it, with `Date`s): the core's shape gets `<Name>Json`.
 */
const NAPI_OBJECTS = ['ReportItem']

/**
 * Core types Node names otherwise, with the reason. A name whose interface napi declares (an
 * `#[napi(object)]` of the same shape) is used as it is and not generated (`NAPI_DECLARED`).
 */
const NODE_NAMES = {
  // Node's name since its first release; `Step` alone says little in the package's namespace.
  Step: 'WorkflowStep',
  // napi declares it (IntuneAppleError.reasons, the renewal checks).
  Refusal: 'RefusalInfo',
}
const NAPI_DECLARED = new Set(['RefusalInfo', 'SerialList', 'ReportProblem'])

/**
 * Fields serde writes with a function of their own (`serialized_with` in the description), so
 * that their wire form is that function's, not their type's, by `Type.field` (Rust name): the
 * TypeScript type written instead, or `null` where the function writes the type's own form,
 * with the reason. A time written by the core's time helpers (`graph_time`, `rfc3339`, ...) is
 * RFC 3339 text like any time and needs no entry; any other such field must have one, or the
 * generator fails.
 */
const FIELD_TYPES = {
  // `kind_serde` writes camelCase (the report's JSON); the enum itself is snake_case.
  'ReportItem.kind': "'pushCertificate' | 'enrollmentProgramToken' | 'vppToken'",
  // `severity_serde` writes `Severity::code`, the enum's own members.
  'ReportItem.severity': null,
}

/**
 * Exported names of the former hand-written typings that are no longer generated: kept as
 * deprecated aliases so that code written against them compiles.
 */
const DEPRECATED = {}

function tsName(name) {
  if (CLASSES.includes(name) || NAPI_OBJECTS.includes(name)) return `${name}Json`
  return NODE_NAMES[name] ?? name
}

/** A doc comment on one line, as a JSDoc block. */
function jsdoc(text, indent = '') {
  const line = (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .join(' ')
    .trim()
    // Rust intra-doc links (`[`HealthReport::to_ics`]`) read as plain code.
    .replace(/\[(`[^`]+`)\]/g, '$1')
    .replaceAll('*/', '*\\/')
  return line ? `${indent}/** ${line} */\n` : ''
}

const isModel = (t) => t.module.startsWith('intune_apple_core::model')

// Which struct/polymorphic/enum types are generated, and in which mode: 'date' (times as Date)
// or 'text' (reached from a class's plain shape: times as text).
const modes = new Map()
function reach(name, mode) {
  const t = types[name]
  if (!t) throw new Error(`${name} is not in bindings-types.json`)
  const key = `${name}`
  const have = modes.get(key)
  if (have === mode) return
  if (have && have !== mode && hasTime(name)) {
    throw new Error(`${name} is reached both as a result (times as Date) and from a class's JSON shape (times as text)`)
  }
  modes.set(key, have ?? mode)
  const visit = (s) => {
    if (s.kind === 'ref') reach(s.name, mode)
    else if (s.of) visit(s.of)
  }
  if (t.kind === 'struct') t.fields.forEach((f) => visit(f.type))
  if (t.kind === 'polymorphic') t.variants.forEach((v) => visit(v.type))
}
function hasTime(name, seen = new Set()) {
  if (seen.has(name)) return false
  seen.add(name)
  const t = types[name]
  const shape = (s) => s.kind === 'time' || (s.kind === 'ref' && hasTime(s.name, seen)) || (s.of ? shape(s.of) : false)
  if (t.kind === 'struct') return t.fields.some((f) => shape(f.type))
  if (t.kind === 'polymorphic') return t.variants.some((v) => shape(v.type))
  return false
}
for (const name of CLASSES) reach(name, 'text')
// A result reached from a class's plain shape (a report's items, ...) reaches JavaScript only
// through it (or through napi's own interface of it, see NAPI_OBJECTS).
for (const { name } of description.exposed.results) if (!modes.has(name)) reach(name, 'date')
for (const name of MODEL_ROOTS) reach(name, 'date')
for (const { name } of description.exposed.enums) modes.set(name, modes.get(name) ?? 'date')

function tsType(s, mode) {
  switch (s.kind) {
    case 'string':
      return 'string'
    case 'bool':
      return 'boolean'
    case 'integer':
    case 'float':
      return 'number'
    case 'time':
      return mode === 'text' ? 'string' : 'Date'
    case 'json':
      return 'unknown'
    case 'json_object':
      return 'Record<string, unknown>'
    case 'map':
      return `Record<string, ${tsType(s.of, mode)}>`
    case 'optional':
      return `${tsType(s.of, mode)} | null`
    case 'list': {
      return `Array<${tsType(s.of, mode)}>`
    }
    case 'ref': {
      const t = types[s.name]
      if (t.kind === 'enum' && t.open) return `${tsName(s.name)} | (string & {})`
      return tsName(s.name)
    }
    default:
      throw new Error(`no TypeScript for a ${s.kind}`)
  }
}
const leftOut = (s) => s.kind === 'skipped' || s.kind === 'secret' || (s.kind === 'optional' && leftOut(s.of))

/** The fields of a struct as [wire, tsType, optional, doc]; `null` wire for an index signature. */
function fieldsOf(name) {
  const t = types[name]
  const mode = modes.get(name)
  const out = []
  let open = isModel(t)
  for (const f of t.fields) {
    if (f.flatten) {
      if (f.type.kind !== 'json_object') throw new Error(`${name}.${f.name}: only a json_object is flattened`)
      open = true
      continue
    }
    if (f.wire === null || leftOut(f.type)) continue
    // `?:` where the core's serde leaves the field out when empty (`skip_serializing_if`).
    const optional = f.omitted_when_empty
    const key = `${name}.${f.name}`
    const isTime = (x) => x.kind === 'time' || (x.kind === 'optional' && isTime(x.of))
    if (f.serialized_with && !isTime(f.type) && !(key in FIELD_TYPES)) {
      throw new Error(`${key} is written by serde's \`with = "${f.serialized_with}"\`: say its wire type in FIELD_TYPES`)
    }
    out.push([f.wire, FIELD_TYPES[key] ?? tsType(f.type, mode), optional, f.doc])
  }
  return { fields: out, open }
}

const prop = (wire) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(wire) ? wire : `'${wire}'`)

function generate() {
  let out = '// @generated by tools/gen-types.mjs from bindings-types.json: do not edit.\n\n'
  const table = {}
  const unions = {}
  const enumWires = {}
  // The enums: those the core lists for the bindings (`exposed.enums`), then those the
  // generated interfaces reach; each member by its wire spelling.
  const enums = [
    ...description.exposed.enums.map((e) => e.name),
    ...[...modes.keys()].filter((n) => types[n].kind === 'enum' && !description.exposed.enums.some((e) => e.name === n)).sort(),
  ]
  for (const name of enums) {
    const t = types[name]
    if (t.kind !== 'enum') throw new Error(`${name} is not an enum`)
    enumWires[tsName(name)] = { open: !!t.open, members: t.members.map((m) => m.wire) }
    const members = t.members.map((m) => `'${m.wire}'`).join(' | ')
    out += jsdoc(t.doc) + `export type ${tsName(name)} = ${members}\n`
  }
  const names = [...modes.keys()].filter((n) => types[n].kind !== 'enum' && !NAPI_DECLARED.has(tsName(n))).sort()
  for (const name of names) {
    const t = types[name]
    out += '\n'
    if (t.kind === 'struct') {
      const { fields, open } = fieldsOf(name)
      const entry = (table[tsName(name)] = {})
      out += jsdoc(t.doc) + `export interface ${tsName(name)} {\n`
      for (const [wire, ts, optional, doc] of fields) {
        out += jsdoc(doc, '  ') + `  ${prop(wire)}${optional ? '?' : ''}: ${ts}\n`
        entry[wire] = ts
      }
      if (open) {
        out += '  [property: string]: unknown\n'
        entry['[property: string]'] = 'unknown'
      }
      out += '}\n'
    } else if (t.kind === 'polymorphic') {
      out += jsdoc(t.doc) + `export type ${tsName(name)} =\n`
      const variants = (unions[tsName(name)] = {})
      for (const v of t.variants) {
        variants[v.odata_type === null ? '*' : `#microsoft.graph.${v.odata_type}`] = tsName(v.type.name)
        if (v.type.kind !== 'ref') throw new Error(`${name}.${v.name}: a variant is a struct`)
        const tag = v.odata_type === null ? `'@odata.type'?: string | null` : `'@odata.type': '#microsoft.graph.${v.odata_type}'`
        out += `  | (${tsName(v.type.name)} & { ${tag} })\n`
      }
    } else {
      throw new Error(`${name}: no TypeScript for a ${t.kind}`)
    }
  }
  if (Object.keys(DEPRECATED).length) out += '\n'
  for (const [old, now] of Object.entries(DEPRECATED)) {
    out += `/** @deprecated use \`${now}\` (the core's name). */\nexport type ${old} = ${tsName(now)}\n`
  }
  return { text: out, table: { interfaces: table, unions, enums: enumWires }, names: [...enums, ...names].map(tsName) }
}

/** Names napi declares from the Rust sources (the part of index.d.ts after the header). */
function napiNames() {
  const dts = path.join(pkg, 'index.d.ts')
  if (!fs.existsSync(dts)) return []
  const text = fs.readFileSync(dts, 'utf8')
  const start = text.indexOf(END_MARK)
  if (start < 0) return []
  const body = text.slice(start)
  return [...body.matchAll(/^export (?:declare )?(?:class|interface|type|function|const enum) (\w+)/gm)].map((m) => m[1])
}

const END_MARK = '// End of the types from bindings-types.json.'
const generatedPath = path.join(pkg, 'src/types.generated.d.ts')
const { text, table, names } = generate()
const clashes = names.filter((n) => napiNames().includes(n))
if (clashes.length) {
  console.error(`generated names napi already declares in index.d.ts: ${clashes.join(', ')} (add them to CLASSES or NAPI_OBJECTS)`)
  process.exit(1)
}
if (process.argv.includes('--check')) {
  const have = fs.existsSync(generatedPath) ? fs.readFileSync(generatedPath, 'utf8') : ''
  if (have !== text) {
    console.error('src/types.generated.d.ts is out of date: run node tools/gen-types.mjs and commit it')
    process.exit(1)
  }
} else {
  fs.writeFileSync(generatedPath, text)
  const header = fs.readFileSync(path.join(pkg, 'src/header.d.ts'), 'utf8')
  fs.mkdirSync(path.join(pkg, '.generated'), { recursive: true })
  const body = text.slice(text.indexOf('\n\n') + 2)
  const note = '// The core\'s enums, results and models, from bindings-types.json (tools/gen-types.mjs).\n'
  fs.writeFileSync(path.join(pkg, '.generated/header.d.ts'), `${header.trimEnd()}\n\n${note}${body}${END_MARK}\n`)
  fs.writeFileSync(path.join(pkg, '.generated/types.json'), JSON.stringify(table, null, 2) + '\n')
}
