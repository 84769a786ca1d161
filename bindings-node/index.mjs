// ESM entry point: the same module as the CommonJS one.
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const addon = require('./index.js')
export const {
  Client,
  Simulator,
  AppleBusinessSimulator,
  IntuneAppleError,
  ImportedDevicePager,
  EnrollmentProgramTokenPager,
  VppTokenPager,
  EnrollmentProfilePager,
  MobileAppPager,
  AssignmentPager,
  inspect,
  inspectBytes,
  checkPushCertificateRenewal,
  checkVppTokenRenewal,
  checkEnrollmentProgramTokenFile,
  pushCertificateHealth,
  enrollmentProgramTokenHealth,
  vppTokenHealth,
  renewalGuidance,
  decideSync,
  validateEnrollmentProfile,
  validateDeviceNameTemplate,
  HealthReport,
  parseSerialNumbers,
  scanTenants,
  scanExitCode,
  notify,
  runCli,
} = addon
export default addon
