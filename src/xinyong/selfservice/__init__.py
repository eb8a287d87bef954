"""Self-service for market entities (主体自助服务): subject accounts bound to one USCC and the
subject's own complete file; the later online services (objection, repair, commitments,
voluntary registration) hang here."""
