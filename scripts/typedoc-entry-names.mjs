// A TypeDoc plugin for `npm run docs`: names each documented module after the
// specifier users import (`latchkey`, `latchkey/react`, …) rather than its file path.
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      module.name = module.name === 'index' ? 'latchkey' : `latchkey/${module.name.replace(/\/index$/, '')}`;
    }
  });
}
