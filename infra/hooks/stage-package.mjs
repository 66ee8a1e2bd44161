// azd prepackage hook: assembles the Function App package in .local/azure-package (azure.yaml `dist`) with what the app
// runs and nothing else: dist/src, host.json, package.json, docs/rules and production node_modules (no dev tooling),
// plus a .funcignore that keeps node_modules in what azd uploads.
//
//   node infra/hooks/stage-package.mjs [--root DIR] [--out DIR] [--no-build] [--no-install]
//
// The checkout's own node_modules (with devDependencies) is left alone; production dependencies are installed afresh
// from package-lock.json into the package. The packaged package.json keeps what the Functions host reads (type, main,
// dependencies) without scripts or devDependencies, so a remote build, if one ever runs, has nothing to compile.
import { execSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? resolve(args[at + 1]) : fallback;
};
const root = option('--root', resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'));
const out = option('--out', join(root, '.local', 'azure-package'));
const build = !args.includes('--no-build');
const install = !args.includes('--no-install');

const run = (command, cwd) => execSync(command, { cwd, stdio: 'inherit' });

if (build) run('npm run build', root);

const required = ['dist/src', 'host.json', 'package.json', 'package-lock.json', 'docs/rules'];
const missing = required.filter((path) => !existsSync(join(root, path)));
if (missing.length > 0) {
  console.error(
    `stage-package: missing ${missing.join(', ')} under ${root} (run npm run build first?)`,
  );
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(root, 'dist', 'src'), join(out, 'dist', 'src'), { recursive: true });
cpSync(join(root, 'docs', 'rules'), join(out, 'docs', 'rules'), { recursive: true });
for (const file of ['host.json', 'package.json', 'package-lock.json']) {
  cpSync(join(root, file), join(out, file));
}

if (install) run('npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund', out);

// After the install: the lock file describes the development tree too, so it does not travel with the trimmed manifest.
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const { scripts: _scripts, devDependencies: _devDependencies, bin: _bin, ...runtime } = manifest;
writeFileSync(join(out, 'package.json'), `${JSON.stringify(runtime, null, 2)}\n`);
rmSync(join(out, 'package-lock.json'), { force: true });

// azd reads the .funcignore of the folder it deploys; without one, releases before 1.23.12 leave node_modules out of a
// TypeScript package deployed with remoteBuild: false, and the host cannot load @azure/functions. This one keeps
// everything: the folder already holds only what the app runs.
writeFileSync(
  join(out, '.funcignore'),
  '# Written by infra/hooks/stage-package.mjs: deploy everything here, node_modules included (remoteBuild: false).\n' +
    '.funcignore\n',
);

console.log(`stage-package: Function App package ready in ${out}`);
