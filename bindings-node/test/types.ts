// Type-checked with `tsc --noEmit --strict`: uses the whole public API with its declared types.
import {
  Client, Simulator, IntuneAppleError, ErrorCode, inspect, checkPushCertificateRenewal,
  checkVppTokenRenewal, checkEnrollmentProgramTokenFile, pushCertificateHealth,
  enrollmentProgramTokenHealth, vppTokenHealth, renewalGuidance, decideSync,
  validateEnrollmentProfile, validateDeviceNameTemplate, HealthReport, parseSerialNumbers,
  scanTenants, scanExitCode, type TenantReport, type ScanOptions,
  notify, renderScan, type NotifyResult, type NotifyCallOptions, type NotifyChange,
  type PushRenewalReport, type DepRenewalReport, type VppRenewalReport, type DuplicateRepairReport,
  type ProfileCreated, type SerialAssignmentReport, type DefaultProfileSet, type HealthReportJson,
  type ReportItem, type CsrDownload, type SerialList, type RefusalInfo,
  type ClientOptions, type PushCertificate, type DataSharingConsentInfo, type EnrollmentProgramToken,
  type ImportedDevice, type ImportResult, type VppTokenInfo, type LicenseSummary, type EnrollmentProfile,
  type MobileApp, type MobileAppAssignment, type AssignmentBatch, type PageProgress, type TokenHealth,
  type RenewalGuidance, type SyncVerdict, type Violation, type AppleFileInfo, type VppRenewalCheckInfo,
  type SimulatorRequest, type Severity, type Platform, type VppTokenState,
  ManagedIdentityCredential, WorkloadIdentityCredential, GitHubActionsCredential, AzureCliCredential,
  DeviceCodeCredential, DefaultAzureCredential, type Credential, type TokenCredential,
  type TokenCredentialAccessToken, type UserAssignedIdentity,
  ProfileReport, profileDrift, planProfileApply, applyProfileTemplate, exportProfileTemplate,
  type ExportedProfileTemplate, type ProfileTenants, TokenProfilesCheck, type ProfileCheck,
  findDuplicateApps, planAssignments, supersededTokens, type DuplicateFindings, type AssignmentPlan,
  type TokenRoles, type WorkflowStep, type AppRef, type AppRepair,
  type ReportItemJson, type TokenProfilesCheckJson, type StepOutcome, type RepairOutcome,
  type DeviceOutcome, type InstallIntent, type AssignmentTarget, type DepIosEnrollmentProfile,
} from '../index.js'
import * as azureIdentity from '@azure/identity'

async function credentials(sim: Simulator): Promise<void> {
  // @azure/identity's credentials are TokenCredentials as they are.
  new Client({ credential: new azureIdentity.ManagedIdentityCredential(), baseUrl: sim.baseUrl })
  new Client({ credential: new azureIdentity.DefaultAzureCredential() })
  const own: TokenCredential = {
    async getToken(scopes: string | string[]): Promise<TokenCredentialAccessToken> {
      void scopes
      return { token: sim.issueToken(), expiresOnTimestamp: Date.now() + 3600_000, refreshAfterTimestamp: Date.now() }
    },
  }
  const ua: UserAssignedIdentity = sim.userAssignedIdentity
  const ours: Credential[] = [
    own,
    new ManagedIdentityCredential(),
    new ManagedIdentityCredential({ identityEndpoint: sim.identityEndpoint, identityHeader: sim.identityHeader, clientId: ua.clientId }),
    new ManagedIdentityCredential({ imdsHost: sim.baseUrl, objectId: ua.objectId }),
    ManagedIdentityCredential.fromEnv({ IDENTITY_ENDPOINT: sim.identityEndpoint }, { resourceId: ua.resourceId }),
    ManagedIdentityCredential.fromEnv(),
    new WorkloadIdentityCredential({ tenantId: sim.tenantId, clientId: sim.federatedClientId, tokenFile: '/tmp/t' }),
    WorkloadIdentityCredential.fromEnv(process.env as Record<string, string>),
    new GitHubActionsCredential({
      tenantId: sim.tenantId, clientId: sim.federatedClientId, requestUrl: sim.githubIdTokenUrl,
      requestToken: sim.githubRequestToken, audience: 'api://AzureADTokenExchange',
    }),
    GitHubActionsCredential.fromEnv(),
    new AzureCliCredential(),
    new AzureCliCredential({ tenantId: 't', program: '/usr/bin/az', searchPath: '/usr/bin', timeoutMs: 1000 }),
    new DeviceCodeCredential({ tenantId: sim.tenantId, clientId: sim.publicClientId }),
    new DefaultAzureCredential(),
    DefaultAzureCredential.fromEnv({ AZURE_TOKEN_CREDENTIALS: 'prod' }),
  ]
  for (const credential of ours) new Client({ credential, baseUrl: sim.baseUrl })
  const steps: string[] = new DefaultAzureCredential().steps
  const text: string = new ManagedIdentityCredential().toString()
  const counted: number = sim.tokenRequests()
  const fed: string = sim.federatedToken(3600)
  Client.fromEnv({ INTUNE_APPLE_GRAPH_URL: sim.baseUrl })
  void [steps, text, counted, fed]
}
void credentials

async function profileTemplates(a: Client, b: Client): Promise<void> {
  const template: string = Simulator.fleetTemplate()
  const values: string = Simulator.fleetValues()
  Simulator.start({ seed: 'fleet_drifted' }).stop()
  const tenants: ProfileTenants = new Map([['northwind', a], ['fabrikam', b]])
  const drift: ProfileReport = await profileDrift(tenants, template, { values })
  await profileDrift(a, JSON.parse(template) as Record<string, unknown>, { values: { defaults: {} }, tokens: 'ABM' })
  await profileDrift({ northwind: a }, template, { tokens: ['id'] })
  await profileDrift([['northwind', a]] as const, template)
  const plan: ProfileReport = await planProfileApply(tenants, template, { values })
  const applied: ProfileReport = await applyProfileTemplate(tenants, template, { values, apply: true })
  const kind: 'drift' | 'plan' | 'apply' = drift.kind
  const exit: number = plan.exitCode
  const rendered: [string, string, string | null, Record<string, any>] =
    [applied.toTable(), applied.toMarkdown(), drift.toHtml(), drift.toJSON()]
  const exported: ExportedProfileTemplate = await exportProfileTemplate(a, 'token', 'profile', { placeholders: false })
  const notes: string[] = exported.notes
  void [kind, exit, rendered, notes, exported.template, exported.values]
}
void profileTemplates

async function everything(): Promise<void> {
  const sim: Simulator = Simulator.start({ seed: 'demo', pageSize: 100, throttle: false })
  Simulator.start({ devices: 10 }).stop()
  const options: ClientOptions = sim.clientOptions()
  const client = new Client({
    ...options,
    cloud: 'global',
    timeouts: { attemptMs: 1000, connectMs: 1000, operationMs: 5000 },
    retries: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, totalBudgetMs: 1000 },
    userAgent: 'types',
  })
  new Client(sim.readOnlyClientOptions())
  new Client({ tenantId: 't', clientId: 'c', certificatePath: '/tmp/app.pem' })
  new Client({ tenantId: 't', clientId: 'c', certificatePath: '/tmp/app.pfx', certificatePassword: 'p' })
  new Client({ tenantId: 't', clientId: 'c', certificate: Buffer.from([]), certificatePassword: 'p' })
  new Client({ tenantId: 't', clientId: 'c', certificate: sim.certificateClientPem() })
  new Client({ accessToken: 'token' })
  Client.fromEnv()
  const root: string = client.graphRoot

  const cert: PushCertificate = await client.getPushCertificate()
  const expires: Date | undefined = cert.expirationDateTime
  const csr: string = await client.downloadPushCertificateCsr()
  await client.uploadPushCertificate('admin@contoso.example', csr)
  const consent: DataSharingConsentInfo = await client.getDataSharingConsent()
  await client.grantDataSharingConsent()

  for await (const t of client.enrollmentProgramTokens({ onProgress: (p: PageProgress) => p.items })) {
    const name: string | undefined = t.tokenName
  }
  const token: EnrollmentProgramToken = await client.getEnrollmentProgramToken('id')
  const key: string = await client.getEncryptionPublicKey('id')
  await client.generateEncryptionPublicKey('id')
  await client.createEnrollmentProgramToken('name')
  await client.uploadEnrollmentProgramToken('id', 'apple', 'p7m')
  await client.syncEnrollmentProgramToken('id', { lastFullSync: new Date(), force: false, macos: true })
  await client.shareForSchoolDataSync('id')
  await client.unshareForSchoolDataSync('id')
  await client.deleteEnrollmentProgramToken('id')

  const profiles: EnrollmentProfile[] = await client.enrollmentProfiles('id').toArray()
  const profile: EnrollmentProfile = await client.getEnrollmentProfile('id', 'p')
  await client.createEnrollmentProfile('id', { '@odata.type': '#microsoft.graph.depIOSEnrollmentProfile', displayName: 'x' })
  await client.updateEnrollmentProfile('id', 'p', { description: 'y' })
  await client.deleteEnrollmentProfile('id', 'p')
  await client.setDefaultEnrollmentProfile('id', 'p')
  const batches: AssignmentBatch[] = await client.assignEnrollmentProfile('id', 'p', ['S1'])
  const failed: IntuneAppleError | undefined = batches[0].error
  const mobileconfig: string = await client.exportMobileConfig('id', 'p')

  for await (const d of client.importedDevices('id')) {
    const serial: string | undefined = d.serialNumber
    const platform: Platform | undefined = d.platform
    const created: Date | undefined = d.createdDateTime
  }
  const page: ImportedDevice[] | null = await client.importedDevices('id').nextPage()
  const found: ImportedDevice[] = await client.findImportedDevices('id', 'S1').toArray()
  const results: ImportResult[] = await client.importDevices('id', [{ serialNumber: 'S1' }], true)
  await client.deleteImportedDevice('id', 'd')

  const vpp: VppTokenInfo[] = await client.vppTokens().toArray()
  const state: VppTokenState | undefined = vpp[0].state
  await client.getVppToken('v')
  await client.createVppToken({ token: 'file', displayName: 'x', countryOrRegion: 'us' })
  await client.uploadVppToken('v', 'file')
  await client.deleteVppToken('v')
  await client.syncVppTokenLicenses('v')
  await client.revokeVppTokenLicenses('v', true)
  await client.revokeVppTokenLicensesWithUntracked('v', false, true)
  await client.syncVppTokenLicenseCounts()
  const expiring: number = await client.expiringVppTokenCount(new Date())
  await client.releaseAppleDevices('d', 'p7m text', ['C02'])
  await client.revokeAllAppLicenses('app', false)
  await client.revokeAppDeviceLicense('app', 'device')
  await client.revokeAppUserLicense('app', 'user', true)
  const licenses: LicenseSummary[] = await client.vppLicensesForApp('com.example')

  const apps: MobileApp[] = await client.vppApps().toArray()
  await client.vppAppsForToken('v').toArray()
  const app: MobileApp = await client.getVppApp('a')
  const assignments: MobileAppAssignment[] = await client.appAssignments('a').toArray()
  await client.assignApp('a', assignments)

  const h: TokenHealth = pushCertificateHealth(cert, { now: new Date(), locale: 'en', pushCertificate: { warningDays: 30 } })
  const severity: Severity = h.severity
  enrollmentProgramTokenHealth(token)
  vppTokenHealth(vpp[0], { vppToken: { criticalDays: 3 } })
  const g: RenewalGuidance = renewalGuidance('vpp_token', null, 'fr')
  const verdict: SyncVerdict = decideSync({ lastTriggered: new Date() }, { kind: 'full', macos: true })
  const violations: Violation[] = validateEnrollmentProfile(profile, { vppTokens: vpp, profilesOnToken: 2 })
  validateDeviceNameTemplate('{{SERIAL}}')

  const file: AppleFileInfo = inspect('/tmp/x.vpptoken')
  const org: string | undefined = file.vppToken?.organizationName
  checkPushCertificateRenewal(cert, '/tmp/new.pem', { appleId: 'a', now: new Date() })
  const check: VppRenewalCheckInfo = checkVppTokenRenewal('/tmp/x.vpptoken', vpp, { location: 'HQ' })
  const matches: boolean = checkEnrollmentProgramTokenFile('/tmp/x.p7m', key)

  const report: HealthReport = await client.healthReport({ asOf: new Date(), locale: 'fr', includeApps: true, thresholds: { vppToken: { warningDays: 60 } } })
  const items: ReportItem[] = report.items
  const reportJson: HealthReportJson = report.toJSON()
  const texts: string[] = [report.toMarkdown(), report.toICS(), report.toTable(true), report.overall]
  const code0: number = report.exitCode + report.errors.length + report.generatedAt.getTime() + report.asOf.getTime()
  HealthReport.fromJSON(JSON.stringify(report))
  const scanOptions: ScanOptions = { concurrency: 8, asOf: new Date(), includeApps: false }
  const scanned: TenantReport[] = await scanTenants(new Map([['contoso', client]]), scanOptions)
  await scanTenants({ contoso: client, fabrikam: client })
  await scanTenants([['contoso', client]] as const, null)
  const scanCode: number = scanExitCode(scanned) + scanned[0].report.exitCode + scanned[0].tenant.length
  const monitoring: string[] = [
    report.toPrometheus(), report.toOpenMetrics(), report.toNagios(), report.toCheckmk(),
    report.toHtml(), report.toHtmlEmail(), report.render('prometheus'),
  ]
  const nagiosCode: number = report.nagiosExitCode
  const notifyOptions: NotifyCallOptions = {
    channels: ['slack=https://hooks.slack.com/services/x'], statePath: '/tmp/state.json', always: false,
    thresholdsDays: [30, 7], mailFrom: 'alerts@contoso.com', webhookSecret: 'whsec_AAAA', maxAttempts: 2,
    timeoutSeconds: 10, client,
  }
  const notified: NotifyResult = await notify(report, notifyOptions)
  await notify(scanned, null)
  await notify([['contoso', report]] as const)
  const firstChange: NotifyChange | undefined = notified.changes[0]
  const notifiedOk: boolean = notified.due && notified.sent && notified.delivered && notified.succeeded &&
    notified.stateSaved && notified.outcomes.every((o) => o.delivered || o.error !== null) &&
    (notified.notice ?? notified.stateError ?? '').length >= 0 && firstChange?.what.type !== 'expired'
  const pushRenewal: PushRenewalReport = await client.renewPushCertificate({ appleId: 'a', pem: 'p', force: true })
  const csrFile: CsrDownload = await client.downloadPushCsr('/tmp/push.csr')
  const firstCsr: CsrDownload = await client.generatePushCsr('/tmp/first.csr')
  const oneFile: string = renderScan('prometheus', await scanTenants([['a', client]]))
  const depRenewal: DepRenewalReport = await client.renewEnrollmentProgramToken({ tokenId: 'id', appleId: 'a', p7m: 'x', fileName: 'f.p7m', sync: true })
  const vppRenewal: VppRenewalReport = await client.renewVppToken({ tokenFile: 'x', location: 'HQ', createIfMissing: false })
  const repair: DuplicateRepairReport = await client.repairDuplicateApps(false)
  const createdProfile: ProfileCreated = await client.createProfile('id', { '@odata.type': '#microsoft.graph.depIOSEnrollmentProfile' })
  await client.copyProfile('id', 'p', new Client({ accessToken: 't' }), 'id2', 'copy')
  const profileCheck: TokenProfilesCheck = await client.validateTokenProfiles('id')
  const checked: ProfileCheck[] = profileCheck.profiles
  const checkCode: number = profileCheck.exitCode + (profileCheck.hasErrors() ? 1 : 0)
  const checkText: string = profileCheck.toText() + profileCheck.toJSON().tokenId
  void [checked, checkCode, checkText]
  const serialReport: SerialAssignmentReport = await client.assignSerialNumbers('id', 'p', ['S1'], 500)
  const defaultSet: DefaultProfileSet = await client.setDefaultProfile('id', 'p')
  const serialList: SerialList = parseSerialNumbers('S1\nS2')
  // The results through the interfaces generated from the core's description of its types.
  const steps: WorkflowStep[] = [...pushRenewal.steps, ...depRenewal.steps, ...vppRenewal.steps]
  const stepOutcomes: StepOutcome[] = steps.map((s) => s.outcome)
  const oldStep: WorkflowStep = steps[0]
  const overridden: RefusalInfo[] = pushRenewal.overridden
  const expiries: Array<Date | null> = [pushRenewal.previousExpiry, pushRenewal.newExpiry, depRenewal.newExpiry, vppRenewal.previousExpiry]
  const fileExpiry: Date = vppRenewal.fileExpiry
  const csrBytes: number = csrFile.bytes + firstCsr.bytes
  const repaired: AppRepair[] = repair.apps
  const repairOutcomes: RepairOutcome[] = repaired.map((a) => a.outcome)
  const beforeIntents: Array<string | null> = repaired.flatMap((a) => a.before.map((b) => b.intent))
  const deletable: boolean[] = repair.oldTokens.map((t) => t.canDelete)
  const orphanCounts: Array<number | null> = repair.orphans.map((o) => o.assignmentCount)
  const deviceOutcomes: DeviceOutcome[] = serialReport.devices.map((d) => d.outcome)
  const warningPaths: string[] = createdProfile.warnings.map((w) => w.path)
  const previousDefault: string | null = defaultSet.previousDefault
  const jsonItems: ReportItemJson[] = reportJson.items
  const jsonTimes: Array<string | null> = [reportJson.generatedAt, reportJson.asOf, jsonItems[0].expiresAt, jsonItems[0].sync?.lastSyncAt ?? null]
  const checkJson: TokenProfilesCheckJson = profileCheck.toJSON()
  const findings: DuplicateFindings = findDuplicateApps(vpp, apps, new Date())
  const targets: AppRef[] = findings.duplicates.map((d) => d.target)
  const roles: TokenRoles = supersededTokens(vpp)
  const replacedBy: string[] = [...findings.tokens.superseded, ...roles.superseded].map((t) => t.replacedBy)
  const plan: AssignmentPlan = planAssignments(assignments, assignments)
  const intents: Array<InstallIntent | (string & {}) | null | undefined> = plan.merged.map((a) => a.intent)
  const target: AssignmentTarget | null | undefined = plan.toCopy[0]?.target
  const groupId: unknown = target?.['@odata.type'] === '#microsoft.graph.groupAssignmentTarget' ? target.groupId : null
  const conflictIntents: Array<string | null> = plan.conflicts.map((c) => c.keptIntent)
  const ios: EnrollmentProfile | undefined = profiles.find((p) => p['@odata.type'] === '#microsoft.graph.depIOSEnrollmentProfile')
  const iosProfile: DepIosEnrollmentProfile | undefined = ios?.['@odata.type'] === '#microsoft.graph.depIOSEnrollmentProfile' ? ios : undefined
  const created: string | null | undefined = iosProfile?.deviceNameTemplate
  void [steps, stepOutcomes, oldStep, overridden, expiries, fileExpiry, csrBytes, repairOutcomes, beforeIntents, deletable,
    orphanCounts, deviceOutcomes, warningPaths, previousDefault, jsonTimes, checkJson, targets, replacedBy, intents,
    groupId, conflictIntents, created]
  void [items, reportJson, texts, code0, scanCode, pushRenewal, csrFile, depRenewal, vppRenewal, repair, createdProfile, serialReport, defaultSet, serialList, monitoring, nagiosCode, notifiedOk]

  sim.addFault({ method: 'GET', path: '/beta/*', kind: 'throttle', retryAfter: '1', nth: 1 })
  sim.addFault({ path: '/beta/*', kind: 'delay', ms: 10 })
  sim.clearFaults()
  sim.expireTokens()
  sim.setThrottle(true)
  sim.setAppThrottle(true)
  sim.setDepSyncDuration(60_000)
  sim.setPageSize(10)
  const log: SimulatorRequest[] = sim.requestLog()
  const writes: number = sim.writesApplied
  const now: Date = sim.now
  sim.setNow(new Date())
  sim.advance(1000)
  const url: string = sim.baseUrl + sim.authorityHost + sim.tenantId + sim.clientId + sim.certificateClientId
  const pem: string = sim.certificateClientPem()
  const running: boolean = sim.isRunning
  sim.stop()

  try {
    await client.getPushCertificate()
  } catch (e) {
    if (e instanceof IntuneAppleError) {
      const code: ErrorCode = e.code
      const fields: [number | null, string | null, string | null, number | null, Date | null] =
        [e.status, e.requestId, e.clientRequestId, e.retryAfter, e.nextAllowedAt]
      const reasons: RefusalInfo[] | null = e.reasons
      void [fields, reasons]
      switch (code) {
        case 'ERR_THROTTLED':
        case 'ERR_SYNC_TOO_SOON':
          break
      }
    }
  }
  void [root, expires, consent, page, found, results, state, licenses, apps, app, severity, g, verdict,
    violations, org, check, matches, log, writes, now, url, pem, running, failed, mobileconfig, batches, profiles]
}
void everything
