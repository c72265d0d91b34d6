import type { Locator } from '@playwright/test';
import type { OpportunityStage } from '../../shared/domain/model';
import { fill } from './messages';
import type { Ui } from './ui';

/** The pipeline board: a column (region) per stage, a card (article) per deal. */
export class PipelineBoard {
  constructor(private readonly ui: Ui) {}

  get heading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.pipeline.title });
  }
  get board(): Locator {
    return this.ui.page.getByTestId('pipeline-board');
  }
  column(stage: OpportunityStage): Locator {
    return this.board.getByRole('region', { name: this.ui.m.stages[stage], exact: true });
  }
  /** The shown count of a column's deals (digit-grouped). */
  async columnCount(stage: OpportunityStage): Promise<number> {
    return Number(((await this.column(stage).getByTestId('column-count').textContent()) ?? '').replace(/[^\d]/g, ''));
  }
  /** A deal's card by its id (titles repeat across deals). */
  card(id: string): Locator {
    return this.board.locator(`article[data-id="${id}"]`);
  }
  cardIn(stage: OpportunityStage, id: string): Locator {
    return this.column(stage).locator(`article[data-id="${id}"]`);
  }
  /** Drag and drop (HTML5 drag events, as a mouse does it). */
  async drag(id: string, to: OpportunityStage): Promise<void> {
    // Grab the card by its title (top left), not by one of its buttons.
    await this.card(id).dragTo(this.column(to), { sourcePosition: { x: 12, y: 10 } });
  }
  /** The keyboard way: the card's "move to" menu (named after the deal's title), opened with Enter. */
  async moveWithKeyboard(id: string, title: string, to: OpportunityStage): Promise<void> {
    const button = this.card(id).getByRole('button', { name: fill(this.ui.m.pipeline.moveMenu, { title }) });
    await button.focus();
    await this.ui.page.keyboard.press('Enter');
    const item = this.ui.page.getByRole('menuitem', { name: this.ui.m.stages[to], exact: true });
    await item.waitFor();
    await item.focus();
    await this.ui.page.keyboard.press('Enter');
  }
  /** The alert that explains a refused move. */
  get refusal(): Locator {
    return this.ui.page.getByTestId('move-refused');
  }
}
