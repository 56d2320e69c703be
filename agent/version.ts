// The version users see (`--version`, shipwatch_build_info): package.json's, read once, so a
// release bump is one edit. Found through the project root: the sources and the compiled build
// sit at different depths below it.
import { readFileSync } from 'node:fs';
import { projectPath } from '../core/project-root.ts';

export const VERSION: string = (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string })
  .version;
