//! A simulated Microsoft Intune tenant (placeholder; see issue 5).
