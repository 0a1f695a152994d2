import { Migration } from '@mikro-orm/migrations';

/**
 * Skill assessments and their evidence. Scores are numeric(5,4): exact, 0 to 1 in steps
 * of 0.0001; the ranges, the enums and the timestamp order are CHECKed here as well as
 * validated at the edge.
 */
export class Migration20261121010000_assessments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table skill_assessments (
        id uuid primary key,
        student_id uuid not null references users (id) on delete cascade,
        skill_type text not null,
        score numeric(5, 4) not null,
        confidence numeric(5, 4) not null,
        reasoning text not null,
        source text not null,
        model_name varchar(128) not null,
        model_version varchar(64) not null,
        feature_importance jsonb null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint skill_assessments_skill_type_check check (skill_type in (
          'EMPATHY', 'PROBLEM_SOLVING', 'RESILIENCE', 'SELF_REGULATION', 'ADAPTABILITY', 'COLLABORATION', 'COMMUNICATION'
        )),
        constraint skill_assessments_score_check check (score >= 0 and score <= 1),
        constraint skill_assessments_confidence_check check (confidence >= 0 and confidence <= 1),
        constraint skill_assessments_source_check check (source in ('AI_MODEL', 'ML_INFERENCE')),
        constraint skill_assessments_model_check check (length(trim(model_name)) > 0 and length(trim(model_version)) > 0),
        constraint skill_assessments_feature_importance_check check (
          feature_importance is null or jsonb_typeof(feature_importance) = 'object'
        ),
        constraint skill_assessments_timestamps_check check (updated_at >= created_at)
      )`);
    // The connection's order (newest first) and its keyset, for everyone and per student and skill.
    this.addSql(`create index skill_assessments_created_idx on skill_assessments (created_at desc, id desc)`);
    this.addSql(
      `create index skill_assessments_student_skill_idx on skill_assessments (student_id, skill_type, created_at desc, id desc)`,
    );

    this.addSql(`
      create table evidence (
        id uuid primary key,
        assessment_id uuid not null,
        kind text not null,
        content text not null,
        source_ref varchar(256) null,
        relevance numeric(5, 4) null,
        created_at timestamptz not null default now(),
        constraint evidence_assessment_fk foreign key (assessment_id) references skill_assessments (id) on delete cascade,
        constraint evidence_kind_check check (kind in ('LINGUISTIC', 'BEHAVIORAL', 'OTHER')),
        constraint evidence_content_check check (length(trim(content)) > 0),
        constraint evidence_relevance_check check (relevance is null or (relevance >= 0 and relevance <= 1))
      )`);
    this.addSql(`create index evidence_assessment_idx on evidence (assessment_id, created_at, id)`);
  }
}
