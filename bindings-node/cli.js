#!/usr/bin/env node
'use strict'
// The `intune-apple` command (`npx intune-apple --help`): the same Rust code as the Cargo
// binary and the Python console script (crate intune-apple-cli), through the addon.
const { runCli } = require('./binding.js')

process.exitCode = runCli(process.argv.slice(2))
