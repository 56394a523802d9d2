/**
 * The client is typed from the public contract: a schema change that breaks
 * one of its operations fails its build, saying which field and where.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const web = fileURLToPath(new URL('..', import.meta.url));
const codegen = fileURLToPath(new URL('../../node_modules/@graphql-codegen/cli/cjs/bin.js', import.meta.url));
const apiSchema = fileURLToPath(new URL('../../schema/api.graphql', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'chirp-codegen-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the client's code generation against `schema`; what it printed, and whether it failed. */
async function generateAgainst(schema: string): Promise<{ failed: boolean; output: string }> {
  const file = path.join(dir, 'api.graphql');
  await writeFile(file, schema);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [codegen, '--config', 'codegen.ts'], {
      cwd: web,
      // As a build runs it: under NODE_ENV=test (jest's) the generator prints only its summary, not the errors.
      env: { ...process.env, NODE_ENV: 'production', CHIRP_API_SCHEMA: file },
    });
    return { failed: false, output: stdout + stderr };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { failed: true, output: stdout + stderr };
  }
}

it('fails when a field an operation selects is renamed in the schema, naming it and the file', async () => {
  const schema = await readFile(apiSchema, 'utf8');
  expect(schema).toContain('likedByViewer: Boolean!');
  const result = await generateAgainst(schema.replace('likedByViewer: Boolean!', 'likedByMe: Boolean!'));
  expect(result.failed).toBe(true);
  expect(result.output).toMatch(/Cannot query field "likedByViewer" on type "Tweet"/);
  expect(result.output).toMatch(/src\/operations\.ts/);
}, 60_000);
