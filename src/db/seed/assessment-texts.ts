import { SkillType } from '../../entities/skill';

/** Demo wording per skill: quotes a transcript might hold, and what an observer might log in a game session. */
export const SKILL_TEXTS: Record<SkillType, { noun: string; quotes: string[]; observations: string[] }> = {
  [SkillType.EMPATHY]: {
    noun: 'empathy',
    quotes: [
      '"That sounds really frustrating, do you want to go over it together?"',
      '"I think Sam felt left out when we picked the roles without asking."',
      '"It is fine, everyone gets stuck on this part at first."',
    ],
    observations: [
      'Paused the task to check on a teammate who had gone quiet.',
      'Offered the shared laptop to a peer who had not had a turn.',
      'Rephrased a blunt comment after seeing a teammate react.',
    ],
  },
  [SkillType.PROBLEM_SOLVING]: {
    noun: 'problem solving',
    quotes: [
      '"What if we split it into two smaller problems first?"',
      '"Let us test the simplest case and see where it breaks."',
      '"That did not work, so the bug must be before step three."',
    ],
    observations: [
      'Tried three strategies on the locked-door puzzle before asking for a hint.',
      'Drew a diagram of the constraints before proposing a plan.',
      'Backtracked to a saved state instead of repeating a failing move.',
    ],
  },
  [SkillType.RESILIENCE]: {
    noun: 'resilience',
    quotes: [
      '"Okay, that failed, but now I know what not to do."',
      '"I will try it once more with a different order."',
      '"This level is hard, but I got further than yesterday."',
    ],
    observations: [
      'Restarted the level six times without leaving the session.',
      'Returned to an abandoned task after a short break.',
      'Kept contributing after the team lost the first round.',
    ],
  },
  [SkillType.SELF_REGULATION]: {
    noun: 'self-regulation',
    quotes: [
      '"I need a minute, then I will come back to this."',
      '"Let me finish my part before I start on the bonus."',
      '"I was getting annoyed, so I wrote down what went wrong."',
    ],
    observations: [
      'Set a timer and kept to the agreed turn length.',
      'Waited for the discussion to end before objecting.',
      'Ignored an in-game distraction to finish the assigned task.',
    ],
  },
  [SkillType.ADAPTABILITY]: {
    noun: 'adaptability',
    quotes: [
      '"The rules changed, so our old plan will not work; new plan."',
      '"Fine, I can take the scout role instead."',
      '"We lost a player, so let us each cover one more zone."',
    ],
    observations: [
      'Switched roles mid-session when the team lost a member.',
      'Adjusted strategy within one round after the map changed.',
      'Accepted a late change to the project brief without complaint.',
    ],
  },
  [SkillType.COLLABORATION]: {
    noun: 'collaboration',
    quotes: [
      '"Can you take the data part and I will write the summary?"',
      '"Let us vote, so everyone gets a say."',
      '"Your idea and mine could work together if we combine them."',
    ],
    observations: [
      'Shared resources with teammates without being asked.',
      'Built on a peer\'s proposal rather than replacing it.',
      'Coordinated timing with two teammates to open the gate together.',
    ],
  },
  [SkillType.COMMUNICATION]: {
    noun: 'communication',
    quotes: [
      '"To sum up: we agreed on the plan, and Ana checks it tomorrow."',
      '"I mean the second option, the one with the bridge."',
      '"Could you explain that step again? I missed the reason."',
    ],
    observations: [
      'Gave clear call-outs of enemy positions during the round.',
      'Summarised the team decision in the shared chat.',
      'Asked a clarifying question before starting the task.',
    ],
  },
};

export const OTHER_EVIDENCE = [
  'Teacher note attached to the session log.',
  'Self-reflection form submitted after the activity.',
  'Peer feedback collected at the end of the unit.',
];

export const LEVEL_PHRASES: [number, string][] = [
  [0.8, 'shows consistently strong'],
  [0.6, 'shows solid, mostly reliable'],
  [0.4, 'shows developing'],
  [0, 'shows early-stage'],
];

export const FEATURES = ['turn_taking', 'sentiment_shift', 'task_completion', 'help_seeking', 'response_latency', 'peer_mentions'];
