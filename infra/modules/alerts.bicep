// Alert rules on the scanner's own logs: a failed scan, and no scan ending at all (the app or its timer is down).
// Logs are JSON lines; the `scan ended` line carries the scan's status. The Functions host writes them to `traces`.

@description('Application Insights the Function App writes to.')
param applicationInsightsName string

@description('Where the alert rules live.')
param location string

@description('Who is mailed when an alert fires (the operators); empty = no action group.')
param operatorEmails array = []

@description('Hours without any `scan ended` line before the scanner counts as down (two schedule intervals).')
param silenceHours int = 13

param tags object = {}

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
          query: 'traces | where message has \'"scan ended"\' and message has \'"status":"failed"\''
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
    description: 'No scan ended in ${silenceHours} hours: the Function App, its timer or its identity may be broken. See README "Operating it".'
    severity: 1
    enabled: true
    scopes: [applicationInsights.id]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT${silenceHours}H'
    criteria: {
      allOf: [
        {
          query: 'traces | where message has \'"scan ended"\''
          timeAggregation: 'Count'
          operator: 'LessThan'
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
