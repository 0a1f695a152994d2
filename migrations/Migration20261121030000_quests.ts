import { Migration } from '@mikro-orm/migrations';

/**
 * Quests, applications and participants. Row-level rules are CHECKs and indexes here;
 * rules that span rows (an approval has a participant, a quest with participants has
 * an assignee, ...) are kept by the services and proved by `assay audit quests`.
 */
export class Migration20261121030000_quests extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table quests (
        id uuid primary key,
        title varchar(200) not null,
        description text not null default '',
        creator_id uuid not null references users (id),
        status text not null default 'OPEN',
        assigned_to_id uuid null references users (id),
        max_participants integer null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint quests_status_check check (status in ('OPEN', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED')),
        constraint quests_title_check check (length(trim(title)) > 0),
        constraint quests_description_check check (length(description) <= 5000),
        constraint quests_max_participants_check check (max_participants is null or max_participants between 1 and 1000),
        constraint quests_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`create index quests_created_at_idx on quests (created_at, id)`);
    this.addSql(`create index quests_creator_idx on quests (creator_id)`);
    this.addSql(`create index quests_assigned_to_idx on quests (assigned_to_id)`);
    this.addSql(`create index quests_status_idx on quests (status)`);

    this.addSql(`
      create table quest_applications (
        id uuid primary key,
        quest_id uuid not null references quests (id) on delete cascade,
        applicant_id uuid not null references users (id) on delete cascade,
        status text not null default 'PENDING',
        message text null,
        decided_by_id uuid null references users (id),
        decided_at timestamptz null,
        decision_reason text null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint quest_applications_status_check check (status in ('PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
        constraint quest_applications_message_check check (message is null or length(message) <= 2000),
        constraint quest_applications_reason_check check (decision_reason is null or length(decision_reason) <= 2000),
        -- Decided exactly when no longer pending; a pending application has no decider.
        constraint quest_applications_decided_check check (
          (status = 'PENDING') = (decided_at is null) and (decided_at is not null or decided_by_id is null)
        ),
        constraint quest_applications_timestamps_check check (updated_at >= created_at)
      )`);
    // One live application per quest and applicant; rejected and withdrawn ones may be followed by a new one.
    this.addSql(`
      create unique index quest_applications_live_unique on quest_applications (quest_id, applicant_id)
      where status in ('PENDING', 'APPROVED')`);
    this.addSql(`create index quest_applications_quest_idx on quest_applications (quest_id, created_at)`);
    this.addSql(`create index quest_applications_applicant_idx on quest_applications (applicant_id)`);

    this.addSql(`
      create table quest_participants (
        id uuid primary key,
        quest_id uuid not null references quests (id) on delete cascade,
        user_id uuid not null references users (id) on delete cascade,
        joined_at timestamptz not null default now(),
        constraint quest_participants_quest_user_unique unique (quest_id, user_id)
      )`);
    this.addSql(`create index quest_participants_user_idx on quest_participants (user_id)`);
  }
}
