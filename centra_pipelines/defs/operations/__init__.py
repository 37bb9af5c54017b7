"""Operations: failure alerts, freshness policies, retention."""
