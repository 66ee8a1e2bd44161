// Alert rules on the scanner's own logs: a failed scan, and no scan ending at all (the app or its timer is down).
// The app writes one JSON object per line to stdout; the `scan ended` line carries the scan's status. On Flex
// Consumption the Functions host forwards the worker's stdout to Application Insights as a trace: table `traces`,
// the line in column `message`, `customDimensions.Category` == "Host.Function.Console" (the host's category for a
// language worker's console output). host.json keeps traces out of sampling, so no `scan ended` line is dropped.
// The same query, to try in Application Insights > Logs: README "Check the first scan".

@description('Application Insights the Function App writes to.')
param applicationInsightsName string

@description('Where the alert rules live.')
param location string

@description('Who is mailed when an alert fires (the operators); empty = no action group.')
param operatorEmails array = []

// Scheduled query rules accept these windows and evaluation frequencies only, in minutes (azure-rest-api-specs#21258).
@description('Minutes without any `scan ended` line before the scanner counts as down: the smallest accepted window of at least two SCAN_SCHEDULE intervals (infra/hooks/alert-window.mjs).')
@allowed([5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880])
param silenceWindowMinutes int = 1440

@description('How often the silence rule runs, in minutes (infra/hooks/alert-window.mjs).')
@allowed([5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880])
param silenceFrequencyMinutes int = 60

@description('When this deployment ran (ISO 8601). The silence rule stays quiet until one window after it, so a fresh deployment is not alerted before its first scan is due.')
param deployedAt string = utcNow('o')

param tags object = {}

// The `scan ended` lines, parsed: the JSON starts at the first '{' of the message.
var scanEndedQuery = 'traces | where customDimensions.Category == "Host.Function.Console" and message has "scan ended" | extend line = parse_json(substring(message, indexof(message, "{"))) | where tostring(line.message) == "scan ended"'

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(operatorEmails)) {
  name: 'ag-readiness-operators'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'readiness'
    enabled: true
    emailReceivers: [for (address, i) in operatorEmails: {
      name: 'operator-${i}'
      emailAddress: address
      useCommonAlertSchema: true
    }]
  }
}

resource failedScans 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'readiness-scan-failed'
  location: location
  tags: tags
  properties: {
    displayName: 'Readiness scanner: a scan failed'
    description: 'A scan ended with status failed. See the scan record (GET /api/status, lastScan.error) and README "Operating it".'
    severity: 2
    enabled: true
    scopes: [applicationInsights.id]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: '${scanEndedQuery} | where tostring(line.status) == "failed"'
          timeAggregation: 'Count'
          operator: 'GreaterThanOrEqual'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: empty(operatorEmails) ? [] : [actionGroup.id]
    }
  }
}

resource silentScanner 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'readiness-scanner-silent'
  location: location
  tags: tags
  properties: {
    displayName: 'Readiness scanner: no scan has ended recently'
    description: 'No scan ended in ${silenceWindowMinutes} minutes (two scan intervals or more): the Function App, its timer or its identity may be broken. See README "Operating it".'
    severity: 1
    enabled: true
    scopes: [applicationInsights.id]
    evaluationFrequency: 'PT${silenceFrequencyMinutes}M'
    windowSize: 'PT${silenceWindowMinutes}M'
    criteria: {
      allOf: [
        {
          // One row, and so an alert, only when no scan ended in the window and the deployment is older than it.
          query: 'let deployedAt = datetime(${deployedAt}); ${scanEndedQuery} | where timestamp > ago(${silenceWindowMinutes}m) | summarize scans = count() | where scans == 0 and now() > deployedAt + ${silenceWindowMinutes}m'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: empty(operatorEmails) ? [] : [actionGroup.id]
    }
  }
}
