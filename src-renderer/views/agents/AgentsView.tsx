// The Agents area: `#/agents` lists them, `#/agents/new` opens the wizard, `#/agents/<id>` is the
// agent's page (every setting edited in place), `#/agents/<id>/edit` the same wizard on an existing
// agent, step by step.
import { AgentList } from './AgentList.tsx';
import { AgentSettings } from './settings/AgentSettings.tsx';
import { AgentWizard } from './wizard/AgentWizard.tsx';
import './agents.css';

export function AgentsView({ args }: { args: string[] }) {
  const [first, second] = args;
  if (first === undefined) return <AgentList />;
  if (first === 'new' && second !== 'edit') return <AgentWizard key="new" />;
  if (second === 'edit') return <AgentWizard key={`edit:${first}`} agentId={first} />;
  return <AgentSettings key={`page:${first}`} agentId={first} />;
}
