// ESM entry point: the same addon as the CommonJS one.
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const addon = require('./index.js')
export const { Client, Simulator } = addon
export default addon
