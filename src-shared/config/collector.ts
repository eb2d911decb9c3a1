// Collects config issues while the checker walks the file.
import type { ConfigIssue, JsonPath } from './issues.ts';

export class IssueCollector {
  readonly issues: ConfigIssue[] = [];

  error(path: JsonPath, code: string, message: string): void {
    this.issues.push({ severity: 'error', code, message, path });
  }

  warn(path: JsonPath, code: string, message: string): void {
    this.issues.push({ severity: 'warning', code, message, path });
  }

  get hasErrors(): boolean {
    return this.issues.some((i) => i.severity === 'error');
  }
}
