// The demo knowledge base: help-centre articles about the demo product (dashboards, reports, integrations,
// SSO, the API, billing...), written so that full-text search over title and body returns ranked answers to
// the questions the demo tickets ask. `draft` articles are unpublished work in progress; `archived` ones
// describe a retired feature. An article's earlier version is its body without the last section (and, where
// `first_title` is given, under that title): edits added the troubleshooting notes later.

export interface KbArticleSpec {
  title: string;
  /** The title of version 1 when the article was renamed later. */
  first_title?: string;
  category: string;
  tags: string[];
  status: "published" | "draft" | "archived";
  sections: string[];
}

export const KB_ARTICLES: readonly KbArticleSpec[] = [
  {
    title: "Getting started: your first week on the platform",
    category: "getting_started",
    tags: ["onboarding", "setup"],
    status: "published",
    sections: [
      "This guide walks a new workspace through its first week. Start by inviting your administrators from the admin console, then connect at least one data source so that dashboards have something to show.",
      "Day one: invite admins, set your time zone and fiscal year under Settings > Workspace. Day two: connect your CRM or upload a CSV with the data import wizard. Day three: build a first dashboard from a template.",
      "By the end of the week, schedule a weekly report to your leadership team and invite the first end users. Most teams see their first insight within ten days.",
      "Troubleshooting: if invited users do not receive the invitation email, ask them to check spam filters and allow mail from our sending domain, then resend the invitation from the admin console.",
    ],
  },
  {
    title: "How to set up role-based permissions",
    category: "admin",
    tags: ["permissions", "roles", "admin_console"],
    status: "published",
    sections: [
      "Role-based permissions decide who can view, edit or share dashboards and reports. Every user has exactly one workspace role: Viewer, Editor or Admin.",
      "To change a role, open Admin console > Users, select the user and pick the new role. Changes apply at the next page load. Admins can also create custom roles with per-feature permissions on the Professional and Enterprise plans.",
      "Folder permissions override workspace roles: a Viewer can be given edit rights on one folder without becoming an Editor everywhere.",
      "Troubleshooting: a user who still cannot edit after a role change usually has a folder-level restriction. Check the folder's Sharing tab for an explicit Viewer entry.",
    ],
  },
  {
    title: "Configuring single sign-on (SSO) with SAML",
    first_title: "Configuring SAML single sign-on",
    category: "security",
    tags: ["sso", "saml", "login"],
    status: "published",
    sections: [
      "Single sign-on lets your users log in with your identity provider (Okta, Azure AD, Google Workspace or any SAML 2.0 provider). SSO is available on the Enterprise plan.",
      "In Admin console > Security > SSO, copy the ACS URL and entity ID into your identity provider, then paste the provider's metadata URL back. Test the connection with one admin before enforcing SSO for everyone.",
      "Once SSO is enforced, password logins are disabled for all users except the break-glass admin account.",
      "Troubleshooting SSO login failures: users unable to log in via SSO usually see 'assertion expired' when the identity provider's clock drifts, or 'user not assigned' when the app is not assigned to them in the provider. Check both before contacting support.",
    ],
  },
  {
    title: "Dashboard not loading or loading slowly",
    category: "troubleshooting",
    tags: ["dashboards", "performance"],
    status: "published",
    sections: [
      "A dashboard that does not load, or takes longer than ten seconds, is almost always waiting on one slow widget. Open the dashboard in edit mode: each widget shows its query time.",
      "Widgets that scan more than a year of raw events are the usual cause. Add a date filter, switch the widget to a pre-aggregated dataset, or split it into two smaller widgets.",
      "If only some users see the dashboard not loading, check their browser extensions and clear the cached dashboard from the user menu.",
      "Still slow? Export the dashboard's performance report from the widget menu and attach it to a support ticket so that our engineers can see the slow queries.",
    ],
  },
  {
    title: "Speeding up large reports with filters",
    category: "reports",
    tags: ["reports", "performance", "filters"],
    status: "published",
    sections: [
      "Reports over large data sets run faster when they filter early. Put the most selective filter (usually the date range) first and avoid filtering on calculated fields.",
      "Slow performance when filtering large reports often comes from 'contains' filters on free-text columns. Prefer 'equals' or 'starts with' filters, which use the index.",
      "Reports with more than 50,000 rows are paginated in the viewer; export them to CSV for the full result.",
    ],
  },
  {
    title: "How to schedule a weekly report",
    category: "reports",
    tags: ["reports", "schedule", "email"],
    status: "published",
    sections: [
      "Any saved report can be emailed on a schedule. Open the report, choose Share > Schedule, and pick the frequency (daily, weekly or monthly), the time and the recipients.",
      "Recipients do not need a seat: external addresses receive a PDF or CSV attachment, workspace users receive a link as well.",
      "Scheduled reports run in the workspace time zone. Change it under Settings > Workspace if your reports arrive at the wrong hour.",
    ],
  },
  {
    title: "Exporting dashboards and reports to CSV and PDF",
    category: "reports",
    tags: ["export", "csv", "pdf"],
    status: "published",
    sections: [
      "Every report can be exported to CSV from the report menu. Dashboards export to PDF with one page per tab.",
      "CSV exports use UTF-8 and a comma separator; choose the semicolon separator in your profile if your spreadsheet tool expects it.",
      "Known issue: an export to CSV that drops the last column happens when a column header contains a line break. Rename the column to remove the line break and export again; a fix is on the way.",
    ],
  },
  {
    title: "Connecting Salesforce",
    category: "integrations",
    tags: ["salesforce", "crm", "integration"],
    status: "published",
    sections: [
      "The Salesforce integration syncs accounts, opportunities and custom objects every fifteen minutes. Connect it from Integrations > Salesforce with a Salesforce user that has API access.",
      "Choose which objects and fields to sync on the mapping screen. Custom fields appear after the first full sync.",
      "Troubleshooting Salesforce sync failing: the most common causes are an expired refresh token (reconnect the integration), a field-level security change in Salesforce, or hitting the daily Salesforce API limit. The integration log names the failing object.",
    ],
  },
  {
    title: "Slack notifications: setup and troubleshooting",
    category: "integrations",
    tags: ["slack", "alerts", "notifications"],
    status: "published",
    sections: [
      "Send alerts and scheduled reports to Slack channels. Install the Slack app from Integrations > Slack, then pick a channel when you create an alert.",
      "Private channels need the app to be invited first: type /invite @Analytics in the channel.",
      "If Slack notifications stopped, the Slack app was probably removed or the channel archived. Reinstall the app and re-select the channel in each alert.",
    ],
  },
  {
    title: "HubSpot field mapping",
    category: "integrations",
    tags: ["hubspot", "crm", "integration", "mapping"],
    status: "published",
    sections: [
      "The HubSpot integration maps HubSpot companies, contacts and deals to platform records. Default mappings cover standard properties.",
      "Map custom HubSpot properties under Integrations > HubSpot > Field mapping. Each property maps to one field; type mismatches are listed in red.",
      "Changing a mapping re-syncs the affected records in the background, which can take up to an hour for large portals.",
    ],
  },
  {
    title: "API rate limits and how to handle 429 errors",
    category: "api",
    tags: ["api", "rate_limit", "developers"],
    status: "published",
    sections: [
      "The REST API allows 600 requests per minute per workspace and 10 concurrent requests per token. Responses carry X-RateLimit-Remaining and X-RateLimit-Reset headers.",
      "When you receive API rate limit errors (HTTP 429), wait for the number of seconds in the Retry-After header before retrying. Use exponential backoff with jitter for repeated failures.",
      "Batch endpoints accept up to 500 records per call and count as one request: prefer them for bulk imports.",
    ],
  },
  {
    title: "Webhooks: delivery, retries and timeouts",
    category: "api",
    tags: ["webhooks", "api", "developers"],
    status: "published",
    sections: [
      "Webhooks post a JSON event to your endpoint when records change. Each delivery is signed with an HMAC header you should verify.",
      "Your endpoint must answer within 10 seconds with a 2xx status. Webhook deliveries timing out are retried with backoff for 24 hours, then the webhook is paused and admins are notified.",
      "Answer quickly and process the event asynchronously; the delivery log under Integrations > Webhooks shows every attempt and its response time.",
    ],
  },
  {
    title: "Bulk importing users from a CSV file",
    category: "admin",
    tags: ["users", "import", "csv"],
    status: "published",
    sections: [
      "Admins can invite many users at once. Go to Admin console > Users > Import and upload a CSV with the columns email, first_name, last_name and role.",
      "The import checks every row first and lists the errors; nothing is invited until the whole file is valid.",
      "Seats are counted when an invitation is accepted, not when it is sent.",
    ],
  },
  {
    title: "Custom fields: adding and managing them",
    category: "admin",
    tags: ["custom_fields", "data_model"],
    status: "published",
    sections: [
      "Custom fields extend records with your own attributes: text, number, date, picklist or formula.",
      "Create them in Admin console > Data model. Field names cannot be changed after data is stored in them, but labels can.",
      "Formula fields are calculated when a record changes; they can be used in filters and reports like any other field.",
    ],
  },
  {
    title: "Sharing dashboards: best practices",
    category: "dashboards",
    tags: ["dashboards", "sharing", "collaboration"],
    status: "published",
    sections: [
      "Share dashboards with teams rather than individuals, so that new team members get access automatically.",
      "Use folders for each audience (leadership, sales, operations) and set permissions on the folder, not on every dashboard.",
      "Public links are read-only and can be limited to your email domain; revoke them from the dashboard's Sharing tab.",
    ],
  },
  {
    title: "Alerts: get notified when a metric changes",
    category: "dashboards",
    tags: ["alerts", "notifications"],
    status: "published",
    sections: [
      "Alerts watch a metric and notify you by email, Slack or mobile push when it crosses a threshold or changes by a percentage.",
      "Create an alert from any chart's menu. Alerts are checked every fifteen minutes on Professional and Enterprise, hourly on other plans.",
      "Duplicate notifications usually mean two alerts watch the same metric; the alert list can be sorted by metric to find them.",
    ],
  },
  {
    title: "Automation rules: triggers and actions",
    category: "automation",
    tags: ["automation_rules", "workflows"],
    status: "published",
    sections: [
      "Automation rules run actions when a trigger fires: a record changes, a metric crosses a threshold, or a schedule comes due.",
      "Actions include sending an email, posting to Slack, updating a field and calling a webhook. Rules run in the order shown and stop at the first failing action.",
      "Troubleshooting 'Error 500 when saving a workflow': this happens when an action refers to a field that was deleted. Remove the action, save, and add it again with an existing field.",
    ],
  },
  {
    title: "Mobile app: installation and login",
    category: "mobile",
    tags: ["mobile_app", "login"],
    status: "published",
    sections: [
      "The mobile app for iOS and Android shows dashboards and alerts. Log in with your workspace URL and your usual credentials or SSO.",
      "If the mobile app crashes on launch after an update, sign out from the web app's session list, reinstall the app and log in again.",
      "Offline mode keeps the last viewed dashboards for 24 hours.",
    ],
  },
  {
    title: "Understanding your invoice",
    category: "billing",
    tags: ["billing", "invoice"],
    status: "published",
    sections: [
      "Invoices list the subscription for the billing period, any add-ons and seat true-ups since the previous invoice.",
      "If the invoice amount does not match the contract, compare the seat count on the invoice with the contracted seats: additional seats activated during the period are charged pro rata.",
      "Invoices and tax documentation can be downloaded by billing admins under Settings > Billing.",
    ],
  },
  {
    title: "Seat true-ups explained",
    category: "billing",
    tags: ["billing", "seats", "true_up"],
    status: "published",
    sections: [
      "A true-up charges for seats used above the contracted number. We count the highest number of active seats in each month.",
      "True-ups are invoiced quarterly and pro rata for the remaining contract term. Deactivating departed employees frees their seats immediately.",
    ],
  },
  {
    title: "Updating the billing contact and payment method",
    category: "billing",
    tags: ["billing", "payment"],
    status: "published",
    sections: [
      "Billing admins can change the billing contact, the billing address and the payment method under Settings > Billing.",
      "Card payments are charged on the invoice date; invoices paid by bank transfer are due within 30 days.",
      "A failed card payment is retried three times over a week. Update the card before the last retry to avoid a service interruption.",
    ],
  },
  {
    title: "Data sync delays: what to check",
    category: "troubleshooting",
    tags: ["data_import", "sync", "integrations"],
    status: "published",
    sections: [
      "Most integrations sync every fifteen minutes. A data sync delayed by several hours usually means the source system throttled us or the connection needs to be re-authorised.",
      "The Integrations page shows the last successful sync per source and the error of the last failed one.",
      "Charts that show incorrect totals right after a large import are computed from partially loaded data; they correct themselves when the import finishes.",
    ],
  },
  {
    title: "Time zones and date filters",
    category: "reports",
    tags: ["time_zone", "filters", "dates"],
    status: "published",
    sections: [
      "Date filters use the workspace time zone unless a report sets its own. 'Last 7 days' means the seven complete days before today in that time zone.",
      "Known issue: the date filter ignores the time zone for timestamp fields imported without an offset. Re-import with ISO 8601 timestamps that include the offset.",
    ],
  },
  {
    title: "Deactivating users and transferring ownership",
    category: "admin",
    tags: ["users", "offboarding", "ownership"],
    status: "published",
    sections: [
      "When someone leaves, deactivate their user in Admin console > Users. Their dashboards and reports stay in place.",
      "Transfer account ownership (the workspace owner role) from the Owner's profile: only the current owner or our support team can do it.",
      "Deactivated users no longer count as seats from the next day.",
    ],
  },
  {
    title: "Audit log retention settings",
    category: "security",
    tags: ["audit_log", "security", "compliance"],
    status: "draft",
    sections: [
      "The audit log records sign-ins, permission changes, exports and API token use. Enterprise workspaces keep it for 400 days.",
      "Retention will become configurable per workspace, from 90 days to seven years, under Admin console > Security.",
    ],
  },
  {
    title: "Granular API token scopes",
    category: "api",
    tags: ["api", "tokens", "security"],
    status: "draft",
    sections: [
      "API tokens can be limited to read-only access or to specific resources (reports, dashboards, users).",
      "Create a scoped token under Settings > API tokens and pick the scopes; a token without a scope cannot call any endpoint.",
    ],
  },
  {
    title: "Exporting dashboards to PDF on a schedule",
    category: "dashboards",
    tags: ["export", "pdf", "schedule"],
    status: "draft",
    sections: [
      "Scheduled PDF exports of whole dashboards are in beta. Ask your CSM to enable the beta for your workspace.",
      "Each tab becomes one page; filters saved with the dashboard apply to the export.",
    ],
  },
  {
    title: "Legacy report builder (retired)",
    category: "reports",
    tags: ["reports", "legacy"],
    status: "archived",
    sections: [
      "The legacy report builder was retired. Existing legacy reports were converted to the new report editor automatically.",
      "If a converted report shows different totals, open it in the new editor and check the filters marked 'converted'.",
    ],
  },
  {
    title: "Classic dashboards migration guide",
    category: "dashboards",
    tags: ["dashboards", "legacy", "migration"],
    status: "archived",
    sections: [
      "Classic dashboards were migrated to the new dashboard engine. Widgets without an equivalent were replaced by the closest chart type.",
      "Re-check colour rules and drill-down links after the migration.",
    ],
  },
];

/** What voters wrote with a vote (customer text). */
export const KB_VOTE_FEEDBACK = {
  helpful: [
    "Exactly what I needed, thanks.",
    "Clear steps, solved it in five minutes.",
    "Great article, the troubleshooting section helped.",
    "Helpful, we shared it with our admins.",
  ],
  unhelpful: [
    "The steps do not match the current settings page.",
    "Did not solve our problem, still broken.",
    "Too vague, missing screenshots.",
    "Confusing, I had to open a ticket anyway.",
  ],
} as const;
