// The Agents area: `#/agents` lists them, `#/agents/new` opens the wizard, `#/agents/<id>` (or
// `#/agents/<id>/edit`) opens the same wizard on an existing agent.
import { AgentList } from './AgentList.tsx';
import { AgentWizard } from './wizard/AgentWizard.tsx';
import './agents.css';

export function AgentsView({ args }: { args: string[] }) {
  const [first, second] = args;
  if (first === undefined) return <AgentList />;
  if (first === 'new' && second !== 'edit') return <AgentWizard key="new" />;
  return <AgentWizard key={`edit:${first}`} agentId={first} />;
}
