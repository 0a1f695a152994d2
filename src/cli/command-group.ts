import type { Command } from 'commander';

/** A parent command (`verify`, `audit`) that several capabilities add subcommands to. */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

export const VERIFY_DESCRIPTION = 'check stored data for integrity problems';
