// Which public names carry a TSDoc comment. Walks the package's public surface from
// ts/index.ts with the TypeScript compiler API (a few seconds, where typedoc takes ~20 s):
// exports, namespaces (nn, optim, autograd, ...), class members (instance and static) and
// the properties of options objects that functions and methods take.
//
//   node scripts/doc-coverage.mjs     lists the API.md names with no doc comment
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiNames } from './api-names.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(import.meta.url)(path.join(root, 'node_modules', 'typescript'));

/** name -> { documented, paths } over the public surface. */
export function publicNames() {
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const program = ts.createProgram([path.join(root, 'ts', 'index.ts')], { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const names = new Map();
  const seen = new Set();

  const hasDoc = (sym) =>
    sym.getDocumentationComment(checker).some((p) => p.text.trim()) ||
    (sym.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0 ||
      // `export * as nn from './nn'`: the comment sits on the export declaration.
      (ts.isNamespaceExport(d) && ts.getJSDocCommentsAndTags(d.parent).length > 0) ||
      (ts.isNamespaceExport(d) && ts.getLeadingCommentRanges(d.getSourceFile().text, d.parent.getFullStart())
        ?.some((r) => d.getSourceFile().text.startsWith('/**', r.pos))));
  const note = (name, where, documented) => {
    const e = names.get(name) ?? { documented: false, paths: [] };
    e.documented ||= documented;
    e.paths.push(where);
    names.set(name, e);
  };
  const isOurs = (sym) => (sym.declarations ?? []).some((d) => d.getSourceFile().fileName.startsWith(path.join(root, 'ts')));

  // The properties of a plain object type of ours: an options object ({ dtype, requiresGrad })
  // or a result ({ values, indices }, a RemovableHandle's remove()).
  const walkObject = (type, where, sigDoc) => {
    const t0 = checker.getNonNullableType(type);
    for (const t of t0.isUnion() ? t0.types : [t0]) {
      if (!(t.flags & ts.TypeFlags.Object) || t.getCallSignatures().length) continue;
      const s = t.getSymbol();
      if (s && !isOurs(s)) continue;
      if (s && s.flags & ts.SymbolFlags.Class && seen.has(s)) continue;
      for (const prop of t.getProperties()) {
        if (prop.name.startsWith('_') || !isOurs(prop)) continue;
        note(prop.name, `${where}(${prop.name})`, hasDoc(prop) || sigDoc);
      }
    }
  };
  // Parameters (a positional name is documented with its function), the options objects they
  // take and the objects the callable returns.
  const walkParams = (type, where, fnDoc) => {
    for (const sig of type.getCallSignatures().concat(type.getConstructSignatures())) {
      for (const param of sig.getParameters()) {
        const decl = param.valueDeclaration;
        if (!decl) continue;
        note(param.name, `${where}(${param.name})`, fnDoc || hasDoc(param));
        walkObject(checker.getTypeOfSymbolAtLocation(param, decl), where, false);
      }
      walkObject(sig.getReturnType(), `${where}()`, fnDoc);
    }
  };

  const walk = (sym0, where, aliasDoc = false) => {
    const sym = sym0.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym0) : sym0;
    const documented = aliasDoc || hasDoc(sym0) || hasDoc(sym);
    note(sym0.name, where, documented);
    if (seen.has(sym)) return;
    seen.add(sym);
    if (sym.flags & ts.SymbolFlags.Module) {
      for (const e of checker.getExportsOfModule(sym)) walk(e, `${where}.${e.name}`);
      return;
    }
    const decl = sym.valueDeclaration ?? sym.declarations?.[0];
    if (!decl) return;
    if (sym.flags & ts.SymbolFlags.Class) {
      const instance = checker.getDeclaredTypeOfSymbol(sym);
      for (const m of checker.getPropertiesOfType(instance)) if (!m.name.startsWith('_') && isOurs(m)) walkMember(m, `${where}#${m.name}`);
      const statics = checker.getTypeOfSymbolAtLocation(sym, decl);
      for (const m of checker.getPropertiesOfType(statics)) if (m.name !== 'prototype' && !m.name.startsWith('_') && isOurs(m)) walkMember(m, `${where}.${m.name}`);
      walkParams(statics, where, documented);
    } else if (sym.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Variable)) {
      walkParams(checker.getTypeOfSymbolAtLocation(sym, decl), where, documented);
    }
  };
  const walkMember = (m, where) => {
    const documented = hasDoc(m);
    note(m.name, where, documented);
    const decl = m.valueDeclaration ?? m.declarations?.[0];
    if (decl) walkParams(checker.getTypeOfSymbolAtLocation(m, decl), where, documented);
  };

  const index = program.getSourceFile(path.join(root, 'ts', 'index.ts'));
  for (const e of checker.getExportsOfModule(checker.getSymbolAtLocation(index))) walk(e, e.name);
  return names;
}

/** The API.md names that are missing from the public surface or have no doc comment there. */
export function undocumentedApiNames() {
  const api = apiNames(fs.readFileSync(path.join(root, 'docs', 'API.md'), 'utf8')).filter((n) => n !== 'torch');
  const names = publicNames();
  return {
    missing: api.filter((n) => !names.has(n)),
    undocumented: api.filter((n) => names.has(n) && !names.get(n).documented),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { missing, undocumented } = undocumentedApiNames();
  console.log(`not exported: ${missing.join(' ') || '(none)'}`);
  console.log(`no doc comment: ${undocumented.join(' ') || '(none)'}`);
  process.exitCode = missing.length || undocumented.length ? 1 : 0;
}
