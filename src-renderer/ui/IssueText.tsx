// One config problem as the user reads it: the sentence, the "Fix" link to the page and field
// that fix it, and the config path small and last, for whoever edits the file by hand.
import type { HumanIssue } from './issue-words.ts';

export function IssueText({ issue }: { issue: HumanIssue }) {
  return (
    <span className="issue-text">
      {issue.text}
      {issue.fix && (
        <>
          {' '}
          <a className="issue-fix" href={issue.fix.hash}>
            {issue.fix.label}
          </a>
        </>
      )}
      {issue.path && (
        <>
          {' '}
          <code className="issue-path" title="Where this is in switchboard.json">
            {issue.path}
          </code>
        </>
      )}
    </span>
  );
}
