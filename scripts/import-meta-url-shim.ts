// Injected into the CommonJS build of the constructs (scripts/bundles.ts, LIB_BUNDLE), where esbuild
// replaces `import.meta.url` with this: the URL of the file that is running, as in ESM.
import { pathToFileURL } from 'node:url';

export const import_meta_url = pathToFileURL(__filename).href;
