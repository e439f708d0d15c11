// `npm run docs`: the API reference, generated from the TSDoc of every package entry
// that exists (latchkey, latchkey/react, latchkey/vue, latchkey/testing), into docs/api/
// (git-ignored; not committed).
import { existsSync } from 'node:fs';

const entries = {
  latchkey: ['src/index.ts'],
  'latchkey/react': ['src/react/index.tsx', 'src/react/index.ts'],
  'latchkey/vue': ['src/vue/index.ts'],
  'latchkey/testing': ['src/testing/index.ts'],
};

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'latchkey',
  entryPoints: Object.values(entries).map((candidates) => candidates.find((file) => existsSync(file))).filter(Boolean),
  out: 'docs/api',
  tsconfig: 'tsconfig.json',
  readme: 'none',
  // No source links: the reference documents the package, and a clone (CI's
  // included) may have no usable git remote to link to.
  disableSources: true,
  plugin: ['./scripts/typedoc-entry-names.mjs'],
  excludeInternal: true,
  excludePrivate: true,
  sort: ['kind', 'instance-first', 'alphabetical-ignoring-documents'],
  validation: { notExported: true, invalidLink: true, notDocumented: false },
  treatWarningsAsErrors: true,
};
