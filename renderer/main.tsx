import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { resolveDesktopApi } from './api';
import { Root } from './app/App';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('#root missing from index.html');
createRoot(container).render(
  <StrictMode>
    <Root api={resolveDesktopApi()} />
  </StrictMode>,
);
