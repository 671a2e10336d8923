// The generator's configuration: one client per document of openapi/, each in src/<name>/,
// with the fetch client bundled into it. scripts/sdk.sh (`make sdk`) runs it; it writes
// under $GATEHOUSE_SDK_TS_OUT instead of src/ when that is set (the freshness test does).
import { defineConfig } from '@hey-api/openapi-ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = process.env.GATEHOUSE_SDK_TS_OUT ?? path.join(here, 'src');
const documents = ['resources', 'admin', 'auth'];

export default defineConfig(
  documents.map((name) => ({
    input: path.join(here, '..', '..', 'openapi', `${name}.json`),
    output: {
      path: path.join(out, name),
      importFileExtension: '.js',
      tsConfigPath: null,
      format: null,
      lint: null,
    },
    plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
    logs: { level: 'warn' },
  })),
);
