// Known attack stories: chains of alerts that, seen in this order inside one incident, say more
// than each alert alone, so the incident's severity is raised a step above its worst alert. Each
// step is a set of rules plus where it must happen (the same container as the step before, or the
// peer the step before reached). Kept short on purpose: each story is one a responder would name.
// Rules are named as strings, not RuleId: some (container_escape, reverse_shell, egress_volume…)
// come with the rules of issue 14 and a story must not stop the build before they are merged.

/** What a story looks at in an incident's alerts. */
export interface StoryAlert {
  rule: string;
  /** Container id, null for host-level alerts. */
  container: string | null;
  /** For flow alerts between containers: the container reached. */
  peer: string | null;
}

type Where = 'same' | 'peer' | 'any';

interface Step {
  rules: readonly string[];
  /** Relative to the alert that matched the step before. */
  where: Where;
}

export interface Story {
  id: string;
  title: string;
  steps: readonly Step[];
}

const SHELL: readonly string[] = ['suspicious_process', 'reverse_shell', 'interactive_exec'];
const DOWNLOAD_OR_DRIFT: readonly string[] = [
  'drift_executable',
  'fileless_execution',
  'sensitive_file_change',
  'unexpected_file_change',
  'unexpected_process',
];
const EGRESS: readonly string[] = [
  'unexpected_egress',
  'egress_volume',
  'crypto_mining',
  'metadata_service_access',
  'port_scan',
];
const EXEC: readonly string[] = [
  'suspicious_process',
  'unexpected_process',
  'drift_executable',
  'reverse_shell',
  'interactive_exec',
  'fileless_execution',
];

export const STORIES: readonly Story[] = [
  {
    id: 'shell_drift_egress',
    title: 'shell, then a download or a new binary, then new egress',
    steps: [
      { rules: SHELL, where: 'any' },
      { rules: DOWNLOAD_OR_DRIFT, where: 'same' },
      { rules: EGRESS, where: 'same' },
    ],
  },
  {
    id: 'lateral_exec',
    title: 'a new peer reached, then an execution in that peer',
    steps: [
      { rules: ['new_peer', 'cross_segment_traffic'], where: 'any' },
      { rules: EXEC, where: 'peer' },
    ],
  },
  {
    id: 'config_escape',
    title: 'a risky container configuration, then an escape attempt',
    steps: [
      { rules: ['risky_container_config'], where: 'any' },
      { rules: ['container_escape'], where: 'same' },
    ],
  },
];

const fits = (alert: StoryAlert, step: Step, previous: StoryAlert | null): boolean => {
  if (!step.rules.includes(alert.rule)) return false;
  if (!previous || step.where === 'any') return true;
  if (step.where === 'same') return alert.container !== null && alert.container === previous.container;
  return previous.peer !== null && alert.container === previous.peer;
};

/** Whether `alerts` (in raise order) hold the story's steps in order; tries every start. */
function matches(story: Story, alerts: readonly StoryAlert[]): boolean {
  const first = story.steps[0];
  if (!first) return false;
  for (let start = 0; start < alerts.length; start++) {
    let previous = alerts[start] as StoryAlert;
    if (!fits(previous, first, null)) continue;
    let step = 1;
    for (let i = start + 1; i < alerts.length && step < story.steps.length; i++) {
      const alert = alerts[i] as StoryAlert;
      if (fits(alert, story.steps[step] as Step, previous)) {
        previous = alert;
        step++;
      }
    }
    if (step === story.steps.length) return true;
  }
  return false;
}

/** The first known story the alerts tell, or null. */
export function matchStory(alerts: readonly StoryAlert[]): Story | null {
  return STORIES.find((story) => matches(story, alerts)) ?? null;
}
