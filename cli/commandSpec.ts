// The shapes of the CLI's command table, apart from the table itself: every command module
// describes itself with them and cli/commands.ts lists the modules (no import cycle).

/** One option of a subcommand, as its `--help` prints it and the parser checks it. */
export interface OptionSpec {
  name: string;
  /** Placeholder of the value (FILE, N, URL); none for a flag. */
  arg?: string;
  /** Value used when the option is not given; filled in by `withDefaults`. */
  default?: string;
  /** What the default is, in words, when it is not a literal value (e.g. "the demo site"). */
  defaultText?: string;
  text: string;
}

/** A subcommand: the one source of its usage line, its `--help` page and the options it accepts. */
export interface CommandSpec {
  name: string;
  /** What follows the options-free part, e.g. `preview`, `facts|entries FILE.csv`. */
  operands?: string;
  summary: string;
  /** Extra paragraphs of the command's own help page. */
  notes?: string;
  options: OptionSpec[];
  example: string;
}
