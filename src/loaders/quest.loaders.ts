import type { EntityManager } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer';
import { Quest, QuestApplication, QuestParticipant } from '../entities';
import { applicationVisibleSql, participantVisibleSql, questVisibleSql, visibleApplications } from '../permissions/quest.scope';
import { loaderByColumn } from './by-column';
import { loaderGroupedByColumn } from './grouped-by-column';
import { perViewer } from './per-viewer';
import { visibility } from './visibility';
import type { Batching } from './batching';

/** Quest loaders; fresh per request like the others. */
export function createQuestLoaders(em: EntityManager, batching: Batching) {
  let visibleApplicationsLoader: DataLoader<string, QuestApplication[]> | undefined;
  return {
    questById: loaderByColumn(em, Quest, 'id', (q) => q.id, batching),
    /** Whether a quest (by id) passes the viewer's access predicate. */
    questVisible: perViewer((viewer) => visibility(em, 'quests', 'q', questVisibleSql(viewer, 'q'), batching)),
    /** Whether an application (by id) passes the viewer's access predicate. */
    applicationVisible: perViewer((viewer) => visibility(em, 'quest_applications', 'qa', applicationVisibleSql(viewer, 'qa'), batching)),
    /** Whether a participant row (by id) passes the viewer's access predicate. */
    participantVisible: perViewer((viewer) => visibility(em, 'quest_participants', 'qp', participantVisibleSql(viewer, 'qp'), batching)),
    /** Every participant of a quest: callers decide first whether the viewer may see them (all or none). */
    participantsByQuestId: loaderGroupedByColumn(em, QuestParticipant, 'quest', (p) => p.quest.id, {
      orderBy: { joinedAt: 'asc', id: 'asc' },
    }, batching),
    /**
     * A quest's applications that the viewer may see, scoped in the SQL. The viewer is
     * the same for the whole request, so one loader serves it.
     */
    applicationsByQuestId(viewer: Viewer): DataLoader<string, QuestApplication[]> {
      visibleApplicationsLoader ??= loaderGroupedByColumn(em, QuestApplication, 'quest', (a) => a.quest.id, {
        where: visibleApplications(viewer),
        orderBy: { createdAt: 'asc', id: 'asc' },
      }, batching);
      return visibleApplicationsLoader;
    },
  };
}
