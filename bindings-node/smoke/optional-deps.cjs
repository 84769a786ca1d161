'use strict'
// Writes the platform packages (npm/<platform>/package.json) into a package.json as its
// optionalDependencies, as `napi pre-publish` does before `npm publish`: for a package packed
// to be installed and tested without publishing (scripts/test-packages, the release workflow).
// Usage: node optional-deps.cjs PACKAGE_JSON NPM_DIR
const fs = require('node:fs')
const path = require('node:path')

const [file, npmDir] = process.argv.slice(2)
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'))
pkg.optionalDependencies = {}
for (const dir of fs.readdirSync(npmDir).sort()) {
  const platform = JSON.parse(fs.readFileSync(path.join(npmDir, dir, 'package.json'), 'utf8'))
  if (platform.version !== pkg.version) throw new Error(`${platform.name} is ${platform.version}, not ${pkg.version}`)
  pkg.optionalDependencies[platform.name] = platform.version
}
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n')
