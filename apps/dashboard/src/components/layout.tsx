import { useState, type ReactNode } from 'react';
import { Link } from './ui';

export interface NavItem {
  to: string;
  label: string;
}

/** The page frame: a skip link, a header with the navigation (a menu on phones), the main area. */
export function Layout(props: {
  title: string;
  nav: NavItem[];
  path: string;
  aside?: ReactNode;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">{props.title}</span>
        <button
          type="button"
          className="menu-toggle ghost"
          aria-expanded={open}
          aria-controls="nav"
          onClick={() => {
            setOpen(!open);
          }}
        >
          Menu
        </button>
        <nav id="nav" className={open ? 'nav open' : 'nav'} aria-label="Main">
          {props.nav.map((item) => (
            <Link key={item.to} to={item.to} current={props.path.startsWith(item.to)}>
              {item.label}
            </Link>
          ))}
        </nav>
        {props.aside}
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
