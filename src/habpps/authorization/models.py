"""Tables of the extended RBAC model (ENG-2..8, ENG-12) replayed into the engine by the policy build."""
